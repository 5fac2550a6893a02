"""Does ``perftui record -- CMD`` see a short command's whole life, every time?  And how long
does the command wait before it runs?

The target (tests/targets/exact_calls.c, built with cc here) makes exactly N getppid calls
and M writes of K bytes to a file, then exits at once (a few ms).  Each run records it and
checks the report: getppid == N, write == M, bytes written to files == M*K.  A run that
differs is a miss.  Printed: misses per probe, and the wait from starting ``perftui record``
to the command's exec (median, p90, max), which is mostly the BPF compile.

``--load K`` keeps K busy processes running meanwhile (a loaded machine).  Needs cc; the
ebpf and perfcount probes need root and bcc.

Usage: python bench/launch_exact.py [--runs 50] [--probes ebpf,perfcount,procfs] [--load 0]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perftui.session import SessionReader  # noqa: E402

N, M, K = 1234, 37, 4096


def build(tmp: Path) -> Path:
    exe = tmp / "exact_calls"
    subprocess.run(["cc", "-O1", "-o", str(exe), str(REPO / "tests/targets/exact_calls.c")],
                   check=True)
    return exe


def perftui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perftui", *args], capture_output=True,
                          text=True, timeout=180, cwd=REPO, stdin=subprocess.DEVNULL)


def one_run(exe: Path, tmp: Path, probe: str, i: int) -> tuple[list[str], float | None]:
    """(what was wrong, the wait in seconds from starting perftui to the exec)."""
    out = tmp / f"{probe}-{i}.perftui"
    t0 = time.time()
    done = perftui("record", "-o", str(out), "--probes", probe, "--",
                   str(exe), str(N), str(M), str(K), str(tmp / "data"))
    if done.returncode != 0:
        return [f"record failed: {done.stderr.strip()[-200:]}"], None
    exec_ts = None
    with SessionReader(str(out)) as r:
        for stream, _, frame in r.frames():
            if stream == "perftui" and frame.get("k") == "launch" and frame.get("exec_ts"):
                exec_ts = float(frame["exec_ts"])
    rep: dict[str, Any] = json.loads(perftui("report", "--json", str(out)).stdout)
    out.unlink()
    wrong: list[str] = []
    counts = {s["name"]: s["count"] for s in rep.get("syscalls", [])}
    if probe == "procfs":
        if rep["io"]["write_bytes"] != M * K:
            wrong.append(f"io write_bytes {rep['io']['write_bytes']} != {M * K}")
    else:
        if counts.get("getppid") != N:
            wrong.append(f"getppid {counts.get('getppid')} != {N}")
        if counts.get("write") != M:
            wrong.append(f"write {counts.get('write')} != {M}")
        written = sum(f["write_bytes"] for f in rep.get("files", []))
        if probe == "ebpf" and written != M * K:
            wrong.append(f"file bytes {written} != {M * K}")
    return wrong, (exec_ts - t0) if exec_ts else None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--probes", default="ebpf,perfcount,procfs")
    p.add_argument("--load", type=int, default=0, help="busy processes running meanwhile")
    args = p.parse_args()
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(args.load)]
    misses_total = 0
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            exe = build(tmp)
            print(f"{'probe':<10} {'runs':>5} {'misses':>7}  wait to exec: "
                  f"{'median':>7} {'p90':>7} {'max':>7}   (load {args.load}, "
                  f"{os.cpu_count()} CPUs)")
            for probe in args.probes.split(","):
                waits: list[float] = []
                misses: list[str] = []
                for i in range(args.runs):
                    wrong, wait = one_run(exe, tmp, probe, i)
                    if wrong:
                        misses.append(f"run {i}: " + "; ".join(wrong))
                    if wait is not None:
                        waits.append(wait)
                waits.sort()
                p90 = waits[int(0.9 * (len(waits) - 1))] if waits else float("nan")
                print(f"{probe:<10} {args.runs:>5} {len(misses):>7}  "
                      f"{'':14}{statistics.median(waits) if waits else float('nan'):>6.2f}s "
                      f"{p90:>6.2f}s {max(waits, default=float('nan')):>6.2f}s")
                for line in misses[:5]:
                    print(f"    {line}")
                misses_total += len(misses)
    finally:
        for b in busy:
            b.kill()
            b.wait()
    return 1 if misses_total else 0


if __name__ == "__main__":
    sys.exit(main())
