"""What judging findings costs the app, per procfs sample, on a thread-per-request server.

    python bench/findings_cost.py [--requests 15000] [--idle 25]

Records ``python3 -m http.server`` (procfs and eBPF) while ``ab -c 8`` fetches a 100 KiB
file --requests times, then --idle seconds of no load; then replays the recording into a model
and times ``Findings.update`` at each procfs sample, as the app's feed does.  Every request
is a new thread, so the futex and path tables fill to their bounds: the cost that matters is
per sample during the load and after it (the app keeps judging an idle target every second).
Figures: median and maximum milliseconds per update in each phase, and the tables' sizes.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perftui.findings.engine import Findings  # noqa: E402
from perftui.model.model import Model  # noqa: E402
from perftui.session.reader import SessionReader  # noqa: E402
from tests.support.httpserver import recorded_server  # noqa: E402


def record(session: Path, requests: int, idle_s: float) -> tuple[float, float]:
    """The recording's load span, in seconds from its start: (load start, load end)."""
    www = session.parent / "www"
    www.mkdir()
    (www / "f.bin").write_bytes(bytes(range(256)) * 400)
    began = time.monotonic()
    with recorded_server(www, session) as port:
        start = time.monotonic() - began
        subprocess.run(["ab", "-q", "-n", str(requests), "-c", "8",
                        f"http://127.0.0.1:{port}/f.bin"], check=True,
                       stdout=subprocess.DEVNULL)
        end = time.monotonic() - began
        time.sleep(idle_s)
    return start, end


def judge(session: Path) -> tuple[list[tuple[float, float]], Model]:
    """(model clock, seconds taken) per update."""
    model, findings = Model(), Findings()
    out = []
    with SessionReader(str(session)) as reader:
        for stream, _raw, frame in reader.frames():
            model.apply(stream, frame)
            if stream == "procfs" and frame.get("k") == "sample":
                t = time.perf_counter()
                findings.update(model)
                out.append((model.now or 0.0, time.perf_counter() - t))
    return out, model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=15000)
    ap.add_argument("--idle", type=float, default=25.0)
    args = ap.parse_args()
    if shutil.which("ab") is None:
        sys.exit("needs ab (apache2-utils)")
    with tempfile.TemporaryDirectory() as tmp:
        session = Path(tmp) / "s.perftui"
        _start, end = record(session, args.requests, args.idle)
        times, model = judge(session)
    first = times[0][0]
    # The window is 10 s: updates up to 10 s after the load still judge some of it.
    loaded = [s for t, s in times if t - first <= end]
    idle = [s for t, s in times if t - first > end + 11]
    for label, secs in (("under load", loaded), ("idle, 11 s after", idle)):
        if secs:
            ms = [s * 1e3 for s in secs]
            print(f"{label:<18} median {statistics.median(ms):7.2f} ms   max {max(ms):7.2f} ms"
                  f"   (n={len(ms)})")
    extra = model.sys.extra
    print(f"tables: futex {len(extra.futex.totals())} rows, paths {len(extra.paths.totals())},"
          f" threads seen by syscalls {sum(len(v) for v in model.sys.threads.pairs.values())}")


if __name__ == "__main__":
    main()
