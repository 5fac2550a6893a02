"""Samples the native stack probe (perftui.probes.stacks, BPF cpu-clock at 99 Hz) gets, next to the
CPU the target really had.

The target is tests/targets/hot_c.c (built here with gcc) or tests/targets/hot_python.py, one
busy thread.  Per run: the time from the probe's launch to its hello (BPF compile and attach),
then per 1 s chunk the samples, the target's CPU seconds in that chunk (from /proc) and the
ratio samples / (99 x CPU seconds), which should be ~1 whatever the load; and how many
samples lost their stack.  With --busy N, N
spinning processes compete for the CPUs.  The load average is printed with each run.

Usage: python bench/stacks_rate.py [--target c|python] [--runs 3] [--seconds 10] [--busy 0]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, cast

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perftui.probes.wire import iter_frames  # noqa: E402

FREQ = 99


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def build_c(tmp: str) -> list[str]:
    if shutil.which("gcc") is None:
        sys.exit("no gcc")
    out = os.path.join(tmp, "hot_c")
    subprocess.run(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", out,
                    str(REPO / "tests/targets/hot_c.c")], check=True)
    return [out]


def one_run(argv: list[str], seconds: int) -> tuple[float, list[tuple[int, float]], int]:
    """Seconds from launch to hello, per chunk (samples, target CPU seconds), and the
    samples whose stack was lost."""
    target = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert target.stdout is not None and target.stdout.readline().strip() == "ready"
    chunks: list[tuple[int, float]] = []
    lost = 0
    try:
        launched = time.monotonic()
        probe = subprocess.Popen(
            [sys.executable, "-m", "perftui.probes.stacks", "--pid", str(target.pid), "--interval",
             "1", "--count", str(seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO)
        hello_after = 0.0
        cpu0 = 0.0
        for _raw, f in iter_frames(cast(BinaryIO, probe.stdout)):
            if f["k"] == "hello":
                hello_after = time.monotonic() - launched
                cpu0 = cpu_seconds(target.pid)
                if not f["caps"]["stacks"]["ok"]:
                    sys.exit(f["caps"]["stacks"]["why"])
            elif f["k"] == "chunk":
                cpu1 = cpu_seconds(target.pid)
                chunks.append((sum(n for _s, _t, n in f["samples"]), cpu1 - cpu0))
                lost += f["lost"]
                cpu0 = cpu1
        probe.wait()
    finally:
        target.kill()
        target.wait()
    return hello_after, chunks, lost


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", choices=["c", "python"], default="c")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--busy", type=int, default=0, help="spinning processes to add")
    args = p.parse_args()
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(args.busy)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            argv = (build_c(tmp) if args.target == "c"
                    else [sys.executable, str(REPO / "tests/targets/hot_python.py")])
            ratios: list[float] = []
            for run in range(args.runs):
                load = os.getloadavg()[0]
                hello_after, chunks, lost = one_run(argv, args.seconds)
                samples = sum(n for n, _ in chunks)
                cpu = sum(c for _, c in chunks)
                ratio = samples / (FREQ * cpu) if cpu else 0.0
                ratios.append(ratio)
                print(f"run {run + 1}: load {load:.2f}, hello after {hello_after:.2f} s, "
                      f"{samples} samples in {len(chunks)} chunks, target CPU {cpu:.2f} s, "
                      f"samples / ({FREQ} x CPU s) = {ratio:.2f}, stack lost: {lost}")
                print("  per chunk (samples/CPU s): "
                      + " ".join(f"{n}/{c:.2f}" for n, c in chunks))
            print(f"median ratio {statistics.median(ratios):.2f} over {args.runs} runs, "
                  f"{args.target} target, {args.busy} spinners")
    finally:
        for s in spinners:
            s.kill()
            s.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
