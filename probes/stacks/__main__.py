"""``python -m perftui.probes.stacks --pid N [--freq 99]``: native stacks of any process (root).

hello, then one ``chunk`` frame per interval (the ``pyspy`` schema: interned labels and stacks,
samples per thread) until the target is gone (``gone``, exit 0), the app goes away (end of
stdin) or a SIGTERM/SIGINT arrives (exit 0).  Without bcc or root: a hello whose ``stacks``
capability says why, the same sentence on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Any

from perftui.probes.args import probe_parser
from perftui.probes.control import Control, Grid
from perftui.probes.stackintern import Interner
from perftui.probes.targetinfo import gone_reason, state
from perftui.probes.wire import FrameWriter, cap, die_with_parent

from . import VERSION
from .symbols import Symbolizer

EXIT_CANNOT = 2
SYMBOLIZE_TIMEOUT_S = 5.0


def _unnamed(tick: Any) -> tuple[tuple[str, ...], bool]:
    """A tick's frames as bare addresses (no symbolizer call at all)."""
    frames = tuple(f"0x{a:x}" for a in reversed(tick.user)) + \
        tuple(f"0x{a:x} (kernel)" for a in reversed(tick.kernel))
    return (frames or ("[stack lost]",)), False


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = probe_parser("perftui.probes.stacks", __doc__, pid_help="process to sample",
                     interval_help="seconds per chunk frame",
                     keep_layout=True)
    p.add_argument("--freq", type=int, default=99,
                   help="samples per second of CPU time per thread (default 99: not 100, so "
                        "as not to tick in step with the target's own timers)")
    p.add_argument("--count", type=int, default=0, metavar="N",
                   help="stop after N chunks (0: until the target is gone)")
    args = p.parse_args(argv)
    if not 1 <= args.freq <= 1000 or not args.interval > 0:
        p.error("--freq must be 1..1000 and --interval > 0")
    return args


class Chunks:
    """Ticks -> ``chunk`` frames, with labels and stacks interned once per stream."""

    def __init__(self, writer: FrameWriter, pid: int, freq: int, sym: Symbolizer) -> None:
        self._w, self._pid, self._freq, self._sym = writer, pid, freq, sym
        self._interner = Interner()
        self._names: dict[int, str] = {}
        self._stuck = False  # the symbolizer once hung: addresses go unnamed from then on

    def _labels(self, ticks: list[Any]) -> list[tuple[tuple[str, ...], bool]]:
        """Each tick's labels, from libbcc's symbolizer under a watchdog: it opens files the
        target controls (its binaries and perf map through /proc/PID/root), and a blocked
        open must cost one chunk's names, not the sampler."""
        if self._stuck:
            return [_unnamed(t) for t in ticks]
        out: list[tuple[tuple[str, ...], bool]] = []

        def work() -> None:
            out.extend(self._sym.stack(t.user, t.kernel, t.lost) for t in ticks)

        worker = threading.Thread(target=work, name="symbolize", daemon=True)
        worker.start()
        worker.join(SYMBOLIZE_TIMEOUT_S)
        if worker.is_alive():
            self._stuck = True
            self._w.write("warn", cap="symbols", msg=(
                f"the symbolizer did not answer in {SYMBOLIZE_TIMEOUT_S:g} s (a file of the "
                "target's it reads may block): native frames are left unnamed from now on"))
            return [_unnamed(t) for t in ticks]
        return out

    def send(self, ticks: list[Any], t0: float, t1: float) -> None:
        self._interner.begin()
        merged: dict[tuple[int, int], int] = {}
        incomplete = lost = 0
        for tick, (frames, partial) in zip(ticks, self._labels(ticks), strict=True):
            key = (self._interner.stack(frames), tick.tid)
            merged[key] = merged.get(key, 0) + tick.count
            incomplete += tick.count if partial else 0
            lost += tick.count if tick.lost else 0
        extra: dict[str, Any] = self._interner.take()
        names = {tid: name for (_, tid) in merged
                 if (name := self._name(tid)) is not None and self._names.get(tid) != name}
        self._names.update(names)
        if names:
            extra["threads"] = names
        self._w.write("chunk", ts=t1, t0=t0, t1=t1, rate=self._freq,
                      samples=[[s, tid, n] for (s, tid), n in merged.items()],
                      incomplete=incomplete, lost=lost, **extra)

    def _name(self, tid: int) -> str | None:
        try:
            with open(f"/proc/{self._pid}/task/{tid}/comm", "rb") as f:
                return f.read().decode("utf-8", "replace").strip()
        except OSError:
            return self._names.get(tid)


def _start(pid: int, freq: int) -> Any:
    """The BPF sampler, or the sentence that says why there is none."""
    if os.geteuid() != 0:
        return "native stacks need root (a perf_event BPF program)"
    try:
        from .bpf import Sampler  # imports bcc: only now
        return Sampler(pid, freq)
    except Exception as e:  # bcc missing, compile or attach refused: one sentence, no trace
        text = str(e).strip().splitlines()
        return f"cannot start the BPF stack sampler: {text[0] if text else type(e).__name__}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    control = Control()
    control.listen_stdin()
    die_with_parent()
    if args.pid <= 0 or state(args.pid) is None:
        print(f"no process {args.pid}", file=sys.stderr)
        return 2
    writer = FrameWriter(sys.stdout.buffer, "stacks")
    sampler = _start(args.pid, args.freq)
    if isinstance(sampler, str):
        writer.hello(args.pid, VERSION, args.interval, {"stacks": cap(False, sampler)},
                     rate=args.freq)
        writer.write("warn", cap="stacks", msg=sampler)
        print(sampler, file=sys.stderr)
        return EXIT_CANNOT
    try:
        writer.hello(args.pid, VERSION, args.interval,
                     {"stacks": cap(True), "kernel_stacks": cap(True)}, rate=args.freq)
        chunks = Chunks(writer, args.pid, args.freq, Symbolizer(sampler.sym, sampler.ksym))
        grid = Grid(args.interval)
        t0, sent = time.time(), 0
        refused_said = ""
        control.watch_target(args.pid)  # its end: the last chunk at once
        while True:
            due = grid.next_due()
            while not (control.stopped or control.target_exited) \
                    and (left := due - time.monotonic()) > 0:
                control.wait(left)
                interval = control.take_interval()
                if interval is not None:
                    grid.retime(interval)
                    due = grid.next_due()
                for line in control.take_bad_commands():
                    writer.write("warn", cap="command", msg=f"unknown command: {line!r}")
            t1 = time.time()
            refused = sampler.check_perf_map()
            if refused and refused != refused_said:
                writer.write("warn", cap="symbols", msg=f"perf map not read: {refused} "
                             "(JIT code left unnamed)")
                refused_said = refused
            chunks.send(sampler.take(), t0, t1)  # on a stop too: what was sampled so far
            t0, sent = t1, sent + 1
            reason = gone_reason(args.pid)
            if reason is not None:
                writer.write("gone", reason=reason)
                break
            if sent == args.count or control.stopped:
                break
    finally:
        sampler.close()
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # see perftui.probes.procfs: a reader thread may sit in a read of stdin
