"""Session file size per minute of recording (goal: <= 5 KB/min for metrics only at 1 s).

Three cases: a generated busy worker (tests/framegen: 5 threads, 3 TCP connections, every
counter moving every second), and two real recordings made with ``perftui record``: a quiet
one-thread process and tests/targets/named_workers.py (4 threads, one busy).

Usage: python bench/session_size.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perftui.session import SessionReader, new_header  # noqa: E402
from perftui.session.format import encode_header  # noqa: E402
from perftui.session.writer import write_frames  # noqa: E402
from tests.support.framegen import GenConfig, frames  # noqa: E402


def per_minute(path: Path) -> tuple[float, float, int]:
    """(KB per minute of frames, seconds covered, file bytes); the header and the index are
    left out of the rate (they do not grow with time)."""
    size = path.stat().st_size
    with SessionReader(str(path)) as r:
        index = r.index()
        span = (index.end_ts or 0) - (index.start_ts or 0)
        last = next(r.blocks(index.offsets[-1]))
        data = last.end - len(encode_header(r.header))
    return data / 1000 / (span / 60), span, size


def generated(tmp: Path) -> None:
    path = tmp / "gen.perftui"
    write_frames(str(path), new_header(4242), frames(GenConfig(samples=601)))
    kb, span, size = per_minute(path)
    print(f"generated busy worker, 1 s, {span / 60:.0f} min: {kb:.2f} KB/min "
          f"(file {size / 1000:.1f} kB)")


def real(tmp: Path, name: str, argv: list[str], seconds: float) -> None:
    path = tmp / f"{name}.perftui"
    subprocess.run([sys.executable, "-m", "perftui", "record", "-d", str(seconds), "-i", "1",
                    "-o", str(path), "--", *argv], check=True, cwd=REPO,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
    kb, span, size = per_minute(path)
    print(f"real {name}, 1 s, {span:.0f} s: {kb:.2f} KB/min (file {size / 1000:.1f} kB)")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=30.0, help="length of the real recordings")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        generated(tmp)
        real(tmp, "quiet process", [sys.executable, "-c", "import time; time.sleep(600)"],
             args.seconds)
        real(tmp, "named_workers", [sys.executable,
                                    str(REPO / "tests/targets/named_workers.py")], args.seconds)
    print("goal: <= 5 KB/min (metrics only at 1 s)")


if __name__ == "__main__":
    main()
