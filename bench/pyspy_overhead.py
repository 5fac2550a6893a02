"""What sampling Python stacks at 100 Hz costs: perftui's pyspy probe next to py-spy alone.

A CPU-bound target (tests/targets/hot_python.py, 1 and 20 threads) reports the rounds of work
it has done once a second.  In each round, one phase after another of --seconds each: no
sampler, the perftui pyspy probe, ``py-spy record`` (one long run with the probe's flags),
and ``py-spy top`` (it needs a terminal: run under ``script`` with a pty).  Per phase, after
a 2 s warm-up: the target's work per second (slowdown = 1 - phase / median of the no-sampler
phases of the same run; also per second of the target's own CPU, which other load on the
machine does not skew), and the sampler's CPU in % of one core: "own" the sampler process,
"kids" what it started (for perftui: the probe is "own", its py-spy runs "kids"; for py-spy
it is the py-spy binary alone).  Also the samples per second the probe obtained.  Figures
are medians over --rounds; the load average before and after is printed with them.

Usage: python bench/pyspy_overhead.py [--seconds 10] [--rounds 5] [--threads 1 20]
                                      [--only perftui record top] [--interval 2 10] [--gil]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perftui.host.probeselect import PYSPY_MAX_CHUNK_S  # noqa: E402
from perftui.probes.companions import find_pyspy  # noqa: E402
from perftui.probes.wire import iter_frames  # noqa: E402

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


def tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of a process itself, and of its children: those it has reaped and its
    live descendants."""
    try:
        root = psutil.Process(pid)
        t = root.cpu_times()
        kids = t.children_user + t.children_system
        for kid in root.children(recursive=True):
            try:
                k = kid.cpu_times()
                kids += k.user + k.system
            except psutil.Error:
                pass
        return t.user + t.system, kids
    except psutil.Error:
        return 0.0, 0.0


class Sampler:
    """One way of sampling: start(pid) -> the pid whose tree to measure; stop()."""

    def __init__(self, name: str, start: Callable[[int], int], stop: Callable[[], None]):
        self.name, self.start, self.stop = name, start, stop


def perftui_sampler(extra: list[str]) -> tuple[Sampler, list[float]]:
    state: dict[str, subprocess.Popen[bytes]] = {}
    rates: list[float] = []
    stopping = threading.Event()

    def start(pid: int) -> int:
        proc = subprocess.Popen([sys.executable, "-m", "perftui.probes.pyspy", "--pid", str(pid),
                                 *extra],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO)
        state["p"] = proc
        stopping.clear()

        def read() -> None:
            assert proc.stdout is not None
            for _raw, f in iter_frames(cast(BinaryIO, proc.stdout)):
                # Not the chunk cut short by the stop: its count of ticks is a guess.
                if f["k"] == "chunk" and f["t1"] > f["t0"] and not stopping.is_set():
                    rates.append(f["got"] / (f["t1"] - f["t0"]))
        threading.Thread(target=read, daemon=True).start()
        return proc.pid

    def stop() -> None:
        proc = state.pop("p")
        stopping.set()
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)
    return Sampler(" ".join(["perftui probe", *extra]), start, stop), rates


def record_sampler(pyspy: str, extra: list[str]) -> Sampler:
    state: dict[str, subprocess.Popen[bytes]] = {}

    def start(pid: int) -> int:
        state["p"] = subprocess.Popen(
            [pyspy, "record", "--pid", str(pid), "--rate", str(RATE), "--nonblocking",
             "--threads", "--function", "--format", "raw", "--output", "/dev/null", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return state["p"].pid

    def stop() -> None:
        proc = state.pop("p")
        proc.send_signal(2)
        proc.wait(10)
    return Sampler("py-spy record", start, stop)


def top_sampler(pyspy: str, extra: list[str]) -> Sampler:
    """``py-spy top`` needs a terminal (without one: "Not a tty"); ``script`` gives it a pty
    whose screen goes to /dev/null.  Measured: the py-spy process alone, not ``script``."""
    state: dict[str, Any] = {}

    def start(pid: int) -> int:
        cmd = " ".join(["exec", pyspy, "top", "--pid", str(pid), "--rate", str(RATE),
                        "--nonblocking", *extra])
        proc = subprocess.Popen(["script", "-qfec", cmd, "/dev/null"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        state["p"] = proc
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            kids = [k for k in psutil.Process(proc.pid).children(recursive=True)
                    if k.name() == "py-spy"]
            if kids:
                state["kid"] = kids[0]
                return kids[0].pid
            time.sleep(0.02)
        raise RuntimeError("py-spy top did not start under script")

    def stop() -> None:
        proc: subprocess.Popen[bytes] = state.pop("p")
        kid: psutil.Process = state.pop("kid")
        with contextlib.suppress(psutil.Error):
            kid.send_signal(signal.SIGINT)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(psutil.Error):
                kid.kill()
            proc.kill()
            proc.wait()
    return Sampler("py-spy top (pty)", start, stop)


def own_cpu(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


@dataclass
class Phase:
    work: float  # the target's rounds per second of wall time
    work_cpu: float  # ... per second of its own CPU time
    own: float  # the sampler process's CPU, % of one core
    kids: float  # its children's (the perftui probe's py-spy runs), % of one core

    @property
    def cpu(self) -> float:
        return self.own + self.kids


def phase(target: Target, sampler: Sampler | None, seconds: float) -> Phase:
    """One phase.  Work per CPU second of the target is blind to other load on a shared
    machine (the target getting less of a core), work per wall second is not."""
    pid = sampler.start(target.proc.pid) if sampler else None
    time.sleep(WARMUP_S)
    t0, r0 = target.reading()
    o0, k0 = tree_cpu(pid) if pid else (0.0, 0.0)
    m0, tc0 = time.monotonic(), own_cpu(target.proc.pid)
    time.sleep(seconds)
    t1, r1 = target.reading()
    o1, k1 = tree_cpu(pid) if pid else (0.0, 0.0)
    m1, tc1 = time.monotonic(), own_cpu(target.proc.pid)
    if sampler:
        sampler.stop()
    return Phase((r1 - r0) / (t1 - t0), (r1 - r0) / (tc1 - tc0),
                 100 * (o1 - o0) / (m1 - m0), 100 * (k1 - k0) / (m1 - m0))


def run(threads: int, seconds: float, rounds: int, pyspy: str, only: list[str],
        intervals: list[int], flags: list[str], max_chunk: int) -> None:
    probes = [perftui_sampler([*(["--interval", str(i)] if i else []),
                               "--max-chunk", str(max_chunk), *flags])
              for i in intervals or [0]]
    rates = {probe.name: got for probe, got in probes}
    every: list[tuple[str, Sampler | None]] = [("none", None)]
    every += [("perftui", probe) for probe, _ in probes]
    every.append(("record", record_sampler(pyspy, flags)))
    if shutil.which("script"):
        every.append(("top", top_sampler(pyspy, flags)))
    else:
        print("no `script` (util-linux): py-spy top left out, it needs a terminal")
    samplers = [s for k, s in every if k == "none" or not only or k in only]
    names = [s.name if s else "no sampler" for s in samplers]
    got: dict[str, list[Phase]] = {n: [] for n in names}
    load0 = os.getloadavg()
    target = Target(threads)
    try:
        time.sleep(1.5)
        for k in range(rounds):
            for i in range(len(samplers)):  # each round starts one further: drifts average out
                j = (i + k) % len(samplers)
                got[names[j]].append(phase(target, samplers[j], seconds))
    finally:
        target.stop()
    load1 = os.getloadavg()

    def med(name: str, field: str) -> float:
        return float(statistics.median(getattr(p, field) for p in got[name]))

    base, base_cpu = med("no sampler", "work"), med("no sampler", "work_cpu")
    print(f"\n== {threads} thread(s), {rounds} rounds of {seconds:g} s phases, {RATE} Hz; "
          f"load average {load0[0]:.2f} before, {load1[0]:.2f} after "
          f"({os.cpu_count()} CPUs)")
    wide = max(len(n) for n in names) + 1
    print(f"{'sampler':<{wide}}{'work/s':>8}{'slowdown':>9}{'work/cpu-s':>11}{'slowdown':>9}"
          f"{'CPU %':>7}{'own':>6}{'kids':>6}   work/s; CPU % per round")
    for name in names:
        w, wc = med(name, "work"), med(name, "work_cpu")
        print(f"{name:<{wide}}{w:>8.0f}{100 * (1 - w / base):>8.1f}%{wc:>11.0f}"
              f"{100 * (1 - wc / base_cpu):>8.1f}%{med(name, 'cpu'):>7.2f}"
              f"{med(name, 'own'):>6.2f}{med(name, 'kids'):>6.2f}   "
              f"{' '.join(f'{p.work:.0f}' for p in got[name])}; "
              f"{' '.join(f'{p.cpu:.2f}' for p in got[name])}")
    for ours in (name for name in names if name in rates):
        for other in names:
            if other not in rates and other != "no sampler" and med(other, "cpu") > 0:
                print(f"CPU ratio {ours} / {other}: {med(ours, 'cpu') / med(other, 'cpu'):.2f}")
        if rates[ours]:
            print(f"{ours}: {statistics.median(rates[ours]):.1f} samples/s obtained per chunk "
                  f"(median of {len(rates[ours])}, asked {RATE})")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 20])
    p.add_argument("--only", nargs="*", default=[], choices=["perftui", "record", "top"],
                   help="samplers to run next to the no-sampler phases (default: all)")
    p.add_argument("--max-chunk", type=int, default=PYSPY_MAX_CHUNK_S, metavar="S",
                   help="the probe's --max-chunk: chunks grow to S seconds, as in the app with "
                   f"the drill-down closed (default {PYSPY_MAX_CHUNK_S}; 0: fixed chunks)")
    p.add_argument("--interval", type=int, nargs="+", default=[], metavar="S",
                   help="one perftui probe per value, with --interval S (seconds per py-spy "
                        "run; default: the probe's own)")
    p.add_argument("--gil", action="store_true",
                   help="give every sampler --gil (only the thread holding the GIL)")
    args = p.parse_args()
    pyspy = find_pyspy()
    print(f"py-spy: {pyspy}")
    for n in args.threads:
        run(n, args.seconds, args.rounds, pyspy, args.only, args.interval,
            ["--gil"] if args.gil else [], args.max_chunk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
