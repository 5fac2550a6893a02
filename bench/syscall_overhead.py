"""How much a syscall-heavy target slows down under perftui's eBPF probe, next to other tools.

The target is a tight loop of 64-byte read(/dev/zero) + write(/dev/null) in C (compiled
with gcc here), > 1M syscalls/s; it counts its iterations in a shared page, so measuring it
costs it nothing.  For each tool, in each round: attach, wait until it is ready, measure a
window, detach, then measure a window of the same target untouched right after.  Reported
per tool (medians over the rounds):
  slowdown   untouched rate / rate under the tool (wall clock: what the user sees)
  cpu/op     the target's CPU time per syscall, under the tool / untouched (isolates the
             in-kernel cost from the tool competing for CPUs)
  tool cpu   the tool's own CPU in the window, % of one core
Tools: two floors (an empty BPF program on raw sys_enter, and on sys_enter + sys_exit: what
the kernel charges for any such program), perftui eBPF probe (--detail counts, full, and
--exact-latency), its perf_event fallback,
syscount-bpfcc -p (and -L, with latency), perf stat -e 'syscalls:sys_enter_*' -p, and
strace -c -f -p.  Needs root, gcc; tools not installed are skipped.

Usage: python bench/syscall_overhead.py [--rounds 3] [--window 2]
"""

from __future__ import annotations

import argparse
import mmap
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perftui.probes.bccenv import bcc_environ  # noqa: E402
from perftui.probes.wire import FrameDecoder  # noqa: E402

LOOP_C = r"""
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int page = open(argv[1], O_RDWR);
    volatile uint64_t *count = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, page, 0);
    int in = open("/dev/zero", O_RDONLY), out = open("/dev/null", O_WRONLY);
    char buf[64];
    for (uint64_t n = 0;; n += 2) {
        if (read(in, buf, sizeof buf) != sizeof buf || write(out, buf, sizeof buf) != sizeof buf)
            return 1;
        if ((n & 1023) == 0) *count = n;
    }
}
"""


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its waited-for children: none here)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Target:
    def __init__(self, workdir: Path) -> None:
        exe = workdir / "loop"
        src = workdir / "loop.c"
        src.write_text(LOOP_C)
        subprocess.run(["gcc", "-O2", "-o", str(exe), str(src)], check=True)
        page = workdir / "count"
        page.write_bytes(b"\0" * 4096)
        with open(page, "r+b") as f:
            self._m = mmap.mmap(f.fileno(), 4096)
        self.proc = subprocess.Popen([str(exe), str(page)])
        self.pid = self.proc.pid
        time.sleep(0.5)

    def count(self) -> int:
        return int.from_bytes(self._m[:8], "little")

    def window(self, seconds: float, tool_pid: int | None) -> tuple[float, float, float]:
        """(syscalls/s, target CPU s per syscall, tool CPU % of a core) over ``seconds``."""
        c0, t0, cpu0 = self.count(), time.monotonic(), cpu_seconds(self.pid)
        tool0 = cpu_seconds(tool_pid) if tool_pid else 0.0
        time.sleep(seconds)
        c1, t1, cpu1 = self.count(), time.monotonic(), cpu_seconds(self.pid)
        tool1 = cpu_seconds(tool_pid) if tool_pid else 0.0
        ops = max(1, c1 - c0)
        return ops / (t1 - t0), (cpu1 - cpu0) / ops, 100 * (tool1 - tool0) / (t1 - t0)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@dataclass
class Tool:
    name: str
    argv: Callable[[int], list[str]]
    ready: Callable[[subprocess.Popen[bytes]], None]
    stop_signal: int = signal.SIGINT
    slow_exit: bool = False  # closes hundreds of syscall tracepoints: ~18 s to exit
    results: list[tuple[float, float, float]] = field(default_factory=list)


def _until_frame(kind: str) -> Callable[[subprocess.Popen[bytes]], None]:
    def ready(p: subprocess.Popen[bytes]) -> None:
        assert p.stdout is not None
        dec = FrameDecoder()
        while True:
            data = os.read(p.stdout.fileno(), 65536)
            if not data:
                raise RuntimeError("the probe ended before it was ready")
            if any(f["k"] == kind for _r, f in dec.feed(data)):
                # keep draining its frames so it never blocks on a full pipe
                subprocess.Popen(["cat"], stdin=p.stdout, stdout=subprocess.DEVNULL)
                return
    return ready


def _until_text(text: bytes, stream: str = "stdout",
                then: float = 0.0) -> Callable[[subprocess.Popen[bytes]], None]:
    def ready(p: subprocess.Popen[bytes]) -> None:
        pipe = p.stdout if stream == "stdout" else p.stderr
        assert pipe is not None
        seen = b""
        deadline = time.monotonic() + 60
        while text not in seen and time.monotonic() < deadline:
            data = os.read(pipe.fileno(), 65536)
            if not data:
                raise RuntimeError(f"tool ended before printing {text!r}")
            seen += data
        time.sleep(then)
    return ready


def _after(seconds: float) -> Callable[[subprocess.Popen[bytes]], None]:
    return lambda p: time.sleep(seconds)


# The floor: what this kernel charges for any BPF program on the raw syscall tracepoints
# (the tracepoint slow path on every syscall, and the program dispatch), with no work at all.
FLOOR = """
import signal, sys
from perftui.probes.ebpf.bcc_api import Program
p = Program("int on_e(struct bpf_raw_tracepoint_args *c) { return 0; }\\n"
            "int on_x(struct bpf_raw_tracepoint_args *c) { return 0; }", [])
p.attach_raw("sys_enter", "on_e")
if sys.argv[1] == "both":
    p.attach_raw("sys_exit", "on_x")
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
print("ready", flush=True)
signal.sigwait({signal.SIGINT})
"""


class _Other:
    """An unrelated process for the probes to watch: started on first use."""

    _proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._proc is None:
            self._proc = subprocess.Popen(["sleep", "100000"])
        return self._proc.pid

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()


OTHER = _Other()


def tools() -> list[Tool]:
    py = sys.executable
    probe = [py, "-m", "perftui.probes.ebpf", "--interval", "1"]
    out: list[Tool] = [
        Tool("floor: empty BPF on raw sys_enter", lambda pid: [py, "-c", FLOOR, "enter"],
             _until_text(b"ready")),
        Tool("floor: empty BPF on sys_enter+exit", lambda pid: [py, "-c", FLOOR, "both"],
             _until_text(b"ready")),
        Tool("perftui ebpf --detail counts", lambda pid: [*probe, "--pid", str(pid),
                                                          "--detail", "counts"],
             _until_frame("sys"), signal.SIGTERM),
        Tool("perftui ebpf --detail full", lambda pid: [*probe, "--pid", str(pid)],
             _until_frame("sys"), signal.SIGTERM),
        Tool("perftui ebpf --exact-latency", lambda pid: [*probe, "--pid", str(pid),
                                                          "--exact-latency"],
             _until_frame("sys"), signal.SIGTERM),
        Tool("perftui perf fallback", lambda pid: [*probe, "--pid", str(pid), "--source",
                                                   "perf"],
             _until_frame("sys"), signal.SIGTERM),
        # What watching another process costs this one: every syscall on the host runs the
        # programs, which return at the pid check (with --children: a lookup in the tree
        # array of pids).
        Tool("perftui ebpf on another process", lambda pid: [*probe, "--pid", str(OTHER.pid)],
             _until_frame("sys"), signal.SIGTERM),
        Tool("perftui ebpf --children on another", lambda pid: [*probe, "--pid",
                                                                str(OTHER.pid), "--children"],
             _until_frame("sys"), signal.SIGTERM),
    ]
    syscount = shutil.which("syscount-bpfcc") or shutil.which("syscount")
    if syscount:
        out.append(Tool("syscount-bpfcc -p", lambda pid: [syscount, "-p", str(pid)],
                        _until_text(b"Tracing", then=0.5)))
        out.append(Tool("syscount-bpfcc -L -p", lambda pid: [syscount, "-L", "-p", str(pid)],
                        _until_text(b"Tracing", then=0.5)))
    perf = shutil.which("perf") or next(iter(sorted(Path("/usr/bin").glob("perf_*"))), None)
    if perf:
        out.append(Tool("perf stat -e syscalls:sys_enter_*",
                        lambda pid: [str(perf), "stat", "-e", "syscalls:sys_enter_*", "-p",
                                     str(pid)], _after(1.5), slow_exit=True))
    strace = shutil.which("strace")
    if strace:
        out.append(Tool("strace -c -f -p", lambda pid: [strace, "-c", "-f", "-p", str(pid)],
                        _until_text(b"attached", "stderr", then=0.3)))
    return out


def _closers_gone(target: int, timeout: float = 60.0) -> None:
    """Wait out the forked closer of the perf fallback (it holds event_mutex for ~18 s,
    which would stall the next tool's startup)."""
    deadline = time.monotonic() + timeout
    needle = f"--pid\0{target}\0".encode()
    while time.monotonic() < deadline:
        busy = False
        for p in Path("/proc").iterdir():
            if p.name.isdigit():
                try:
                    busy = busy or (needle in (p / "cmdline").read_bytes()
                                    and b"perf" in (p / "cmdline").read_bytes())
                except OSError:
                    pass
        if not busy:
            return
        time.sleep(0.5)


def measure(tool: Tool, target: Target, window: float) -> tuple[float, float, float, float]:
    """(slowdown, cpu/op ratio, tool cpu %, untouched rate)."""
    # bcc tools need the kernel headers perftui set up (BCC_KERNEL_SOURCE)
    p = subprocess.Popen(tool.argv(target.pid), cwd=REPO, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=bcc_environ())
    try:
        tool.ready(p)
        rate, per_op, tool_cpu = target.window(window, p.pid)
    finally:
        p.send_signal(tool.stop_signal)
        try:
            p.wait(60 if tool.slow_exit else 20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        if "fallback" in tool.name:
            _closers_gone(target.pid)
    time.sleep(0.5)
    base_rate, base_per_op, _ = target.window(window, None)
    return base_rate / rate, per_op / base_per_op, tool_cpu, base_rate


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--window", type=float, default=2.0, help="seconds per measurement")
    ap.add_argument("--only", default="", help="run only tools whose name contains this")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root (BPF, perf events, ptrace)", file=sys.stderr)
        return 2
    chosen = [t for t in tools() if args.only in t.name]
    with tempfile.TemporaryDirectory() as tmp:
        target = Target(Path(tmp))
        bases: list[float] = []
        try:
            for r in range(args.rounds):
                for tool in chosen:
                    slow, per_op, cpu, base = measure(tool, target, args.window)
                    tool.results.append((slow, per_op, cpu))
                    bases.append(base)
                    print(f"round {r + 1}: {tool.name:36} x{slow:5.2f}  cpu/op x{per_op:5.2f}"
                          f"  tool {cpu:5.1f}%", file=sys.stderr, flush=True)
        finally:
            target.stop()
            OTHER.stop()
    print(f"\ntarget untouched: {statistics.median(bases) / 1e6:.2f} M syscalls/s "
          f"(median of {len(bases)} windows of {args.window:g} s); "
          f"medians of {args.rounds} rounds:\n")
    print(f"| {'tool':36} | slowdown | (min-max)     | cpu/op | tool cpu |")
    print(f"|{'-' * 38}|---------:|---------------|-------:|---------:|")
    for tool in chosen:
        slows = [r[0] for r in tool.results]
        slow = statistics.median(slows)
        per_op = statistics.median(r[1] for r in tool.results)
        cpu = statistics.median(r[2] for r in tool.results)
        spread = f"{min(slows):.2f}-{max(slows):.2f}"
        print(f"| {tool.name:36} | x{slow:7.2f} | {spread:13} | x{per_op:5.2f} | {cpu:7.1f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
