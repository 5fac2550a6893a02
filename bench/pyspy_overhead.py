"""What sampling Python stacks at 100 Hz costs: perftui's pyspy probe next to py-spy alone.

A CPU-bound target (tests/targets/hot_python.py, 1 and 20 threads) reports the rounds of work
it has done once a second.  In each round, one phase after another of --seconds each: no
sampler, the perftui pyspy probe, ``py-spy record`` (one long run with the probe's flags),
and ``py-spy top`` in a tmux pty.  Per phase, after a 2 s warm-up: the target's
work per second (slowdown = 1 - phase / mean of the no-sampler phases of the same run), and
the sampler's CPU (% of one core; for perftui the probe and every py-spy it started).  Also
the samples per second the probe obtained.  Figures are medians over --rounds.

Usage: python bench/pyspy_overhead.py [--seconds 10] [--rounds 3] [--threads 1 20]
                                      [--only perftui record top]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from probes.pyspy.locate import find_pyspy  # noqa: E402
from probes.wire import iter_frames  # noqa: E402

WARMUP_S = 2.0
RATE = 100


class Target:
    def __init__(self, threads: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests/targets/hot_python.py"), "--threads",
             str(threads), "--report"], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"
        self.last = (time.monotonic(), 0)
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("rounds "):
                with self._lock:
                    self.last = (time.monotonic(), int(line.split()[1]))

    def reading(self) -> tuple[float, int]:
        with self._lock:
            return self.last

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, the children it has reaped, and its live descendants."""
    try:
        root = psutil.Process(pid)
        t = root.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system
        for kid in root.children(recursive=True):
            try:
                k = kid.cpu_times()
                total += k.user + k.system
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0.0


class Sampler:
    """One way of sampling: start(pid) -> the pid whose tree to measure; stop()."""

    def __init__(self, name: str, start: Callable[[int], int], stop: Callable[[], None]):
        self.name, self.start, self.stop = name, start, stop


def perftui_sampler() -> tuple[Sampler, list[float]]:
    state: dict[str, subprocess.Popen[bytes]] = {}
    rates: list[float] = []

    def start(pid: int) -> int:
        proc = subprocess.Popen([sys.executable, "-m", "probes.pyspy", "--pid", str(pid)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO)
        state["p"] = proc

        def read() -> None:
            assert proc.stdout is not None
            for _raw, f in iter_frames(proc.stdout):
                if f["k"] == "chunk" and f["t1"] > f["t0"]:
                    rates.append(f["got"] / (f["t1"] - f["t0"]))
        threading.Thread(target=read, daemon=True).start()
        return proc.pid

    def stop() -> None:
        proc = state.pop("p")
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)
    return Sampler("perftui pyspy probe", start, stop), rates


def record_sampler(pyspy: str) -> Sampler:
    state: dict[str, subprocess.Popen[bytes]] = {}

    def start(pid: int) -> int:
        state["p"] = subprocess.Popen(
            [pyspy, "record", "--pid", str(pid), "--rate", str(RATE), "--nonblocking",
             "--threads", "--function", "--format", "raw", "--output", "/dev/null"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return state["p"].pid

    def stop() -> None:
        proc = state.pop("p")
        proc.send_signal(2)
        proc.wait(10)
    return Sampler("py-spy record", start, stop)


def top_sampler(pyspy: str) -> Sampler:
    state: dict[str, str] = {}

    def start(pid: int) -> int:
        name = f"bench-{uuid.uuid4().hex[:6]}"
        state["s"] = name
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40",
                        f"exec {pyspy} top --pid {pid} --rate {RATE} --nonblocking"],
                       check=True)
        out = subprocess.run(["tmux", "list-panes", "-t", name, "-F", "#{pane_pid}"],
                             capture_output=True, text=True, check=True).stdout
        return int(out.split()[0])

    def stop() -> None:
        subprocess.run(["tmux", "kill-session", "-t", state.pop("s")], check=False)
    return Sampler("py-spy top (tmux)", start, stop)


def own_cpu(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def phase(target: Target, sampler: Sampler | None,
          seconds: float) -> tuple[float, float, float]:
    """Over one phase: the target's work per second and per CPU second (the second is blind
    to other load on a shared machine), and the sampler's CPU in % of one core."""
    pid = sampler.start(target.proc.pid) if sampler else None
    time.sleep(WARMUP_S)
    t0, r0 = target.reading()
    c0 = tree_cpu(pid) if pid else 0.0
    m0, tc0 = time.monotonic(), own_cpu(target.proc.pid)
    time.sleep(seconds)
    t1, r1 = target.reading()
    c1 = tree_cpu(pid) if pid else 0.0
    m1, tc1 = time.monotonic(), own_cpu(target.proc.pid)
    if sampler:
        sampler.stop()
    return (r1 - r0) / (t1 - t0), (r1 - r0) / (tc1 - tc0), 100 * (c1 - c0) / (m1 - m0)


def run(threads: int, seconds: float, rounds: int, pyspy: str, only: list[str]) -> None:
    probe, rates = perftui_sampler()
    every: dict[str, Sampler | None] = {"none": None, "perftui": probe,
                                        "record": record_sampler(pyspy)}
    if shutil.which("tmux"):
        every["top"] = top_sampler(pyspy)
    samplers = [every[k] for k in every if k == "none" or not only or k in only]
    names = [s.name if s else "no sampler" for s in samplers]
    work: dict[str, list[float]] = {n: [] for n in names}
    per_cpu: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    target = Target(threads)
    try:
        time.sleep(1.5)
        for k in range(rounds):
            for i in range(len(samplers)):  # each round starts one further: drifts average out
                j = (i + k) % len(samplers)
                w, wc, c = phase(target, samplers[j], seconds)
                work[names[j]].append(w)
                per_cpu[names[j]].append(wc)
                cpu[names[j]].append(c)
    finally:
        target.stop()
    base = statistics.median(work["no sampler"])
    base_cpu = statistics.median(per_cpu["no sampler"])
    print(f"\n== {threads} thread(s), {rounds} rounds of {seconds:g} s phases, {RATE} Hz")
    print(f"{'sampler':<22}{'work/s':>9}{'slowdown':>10}{'work/cpu-s':>12}{'slowdown':>10}"
          f"{'CPU %':>8}   work/s, CPU % per round")
    for name in names:
        w, wc = statistics.median(work[name]), statistics.median(per_cpu[name])
        c = statistics.median(cpu[name])
        print(f"{name:<22}{w:>9.0f}{100 * (1 - w / base):>9.1f}%{wc:>12.0f}"
              f"{100 * (1 - wc / base_cpu):>9.1f}%{c:>8.2f}   "
              f"{' '.join(f'{x:.0f}' for x in work[name])}; "
              f"{' '.join(f'{x:.2f}' for x in cpu[name])}")
    if rates:
        print(f"perftui probe: {statistics.median(rates):.1f} samples/s obtained per chunk "
              f"(median of {len(rates)}, asked {RATE})")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 20])
    p.add_argument("--only", nargs="*", default=[], choices=["perftui", "record", "top"],
                   help="samplers to run next to the no-sampler phases (default: all)")
    args = p.parse_args()
    pyspy = find_pyspy()
    print(f"py-spy: {pyspy}")
    for n in args.threads:
        run(n, args.seconds, args.rounds, pyspy, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
