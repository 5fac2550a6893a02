"""``perftui record``: a live session recorded to a file without a UI.

Runs until the target exits, ``--duration`` ends, or SIGINT/SIGTERM arrives; SIGHUP is
ignored so a recording survives the terminal that started it (``nohup`` is not needed).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from types import FrameType

from perftui.cli.args import (
    add_probes_option,
    interval_arg,
    pid_arg,
    positive_arg,
    split_command,
)
from perftui.cli.pick import probes_for, resolve_target
from perftui.frames import FAILED, UNAVAILABLE, Frame
from perftui.host.target import Target
from perftui.safetext import clean
from perftui.session.format import SessionError
from perftui.session.recorder import SessionRecorder, default_name
from perftui.session.tee import Tee, target_header
from perftui.sources.probeproc import ProbeSpec
from perftui.units import fmt_bytes, fmt_duration


class Recording:
    def __init__(self, target: Target, path: str | None, interval: float,
                 duration: float | None, probes: list[ProbeSpec] | None = None) -> None:
        from perftui.sources.live import PROCFS, LiveSource

        self.target = target
        self.path = path or default_name(os.uname().nodename, target.pid)
        self.duration = duration
        header = target_header(target.pid, target.label, interval,
                               [p.name for p in probes or [PROCFS]])
        self.recorder = SessionRecorder(self.path, header)
        self.tee = Tee(downstream=self._watch)  # the same tee the live view records through
        self.tee.start(self.recorder)
        self.source = LiveSource(target.pid, interval, probes=probes, child=target.child,
                                 label=target.label)
        self.stop = threading.Event()
        self.why = ""
        self.exit_detail = ""  # "exit status 3", "killed by signal 9", when a probe said
        self._said: set[str] = set()

    def _say_missing(self, what: str) -> None:
        if what not in self._said:
            self._said.add(what)
            print(f"perftui: not recorded: {clean(what)} (see perftui doctor -p "
                  f"{self.target.pid})", file=sys.stderr, flush=True)

    def _say(self, what: str) -> None:
        if what not in self._said:
            self._said.add(what)
            print(f"perftui: {clean(what)}", file=sys.stderr, flush=True)

    def _watch(self, stream: str, raw: bytes, frame: Frame) -> None:
        """Downstream of the tee: notice the end of the target, and say on the terminal
        what the recording will not hold (no UI shows it: ``perftui doctor`` says more)."""
        kind = frame.get("k")
        if kind in ("gone", "exit") and not self.exit_detail:
            code, sig = frame.get("code"), frame.get("signal")
            self.exit_detail = (f"killed by signal {sig}" if isinstance(sig, int) and sig
                                else f"exit status {code}" if isinstance(code, int) else "")
            # (a probe's "gone" without a status leaves it empty for a later one that has it)
        if kind in ("hello", "caps"):
            for cap, c in (frame.get("caps") or {}).items():
                if isinstance(c, dict) and not c.get("ok") and not c.get("pending"):
                    self._say_missing(f"{stream} {cap}: {c.get('why') or 'unavailable'}")
        elif kind == "launch" and frame.get("msg"):
            print(f"perftui: {clean(str(frame['msg']))}", file=sys.stderr, flush=True)
        elif kind == "warn" and frame.get("msg"):  # what a probe counts differently, and why
            self._say(f"{stream}: {frame['msg']}")
        elif kind == "probe" and frame.get("state") in (FAILED, UNAVAILABLE):
            self._say_missing(f"{frame.get('name')} probe {frame.get('state')}: "
                              f"{frame.get('msg') or 'no reason given'}")

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.why = self.why or signal.Signals(signum).name
        self.stop.set()

    def _exited(self) -> str:
        return "target exited" + (f": {self.exit_detail}" if self.exit_detail else "")

    def run(self) -> str:
        """Record until done; the reason it stopped."""
        previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        for s in previous:
            signal.signal(s, self._on_signal)
        start = time.monotonic()
        self.source.start(self.tee.sink)
        try:
            while not self.stop.wait(0.1):
                now = time.monotonic()
                if self.duration is not None and now - start >= self.duration:
                    self.why = "duration reached"
                    break
                if self.recorder.error:
                    self.why = self.recorder.error
                    break
                # The target ended and every probe sent its last frame (or took too long).
                if self.source.finished.is_set():
                    self.why = self._exited()
                    break
        finally:
            self.source.stop()  # a stop before the end: the probes' last frames, drained
            self.recorder.close()
            for s, handler in previous.items():
                signal.signal(s, handler)
        return self.why or "stopped"


def record(target: Target, path: str | None, interval: float, duration: float | None,
           probes: list[ProbeSpec] | None = None) -> int:
    """Record ``target`` with ``probes`` (default: procfs only)."""
    try:
        rec = Recording(target, path, interval, duration, probes)
    except SessionError:
        if target.child is not None:
            target.child.end()  # held: never runs
        raise
    print(f"perftui: recording {clean(target.label)} to {clean(rec.path)} (Ctrl-C to stop)",
          file=sys.stderr)
    t0 = time.monotonic()
    why = rec.run()
    r = rec.recorder
    print(f"{clean(rec.path)}: {fmt_bytes(r.size)}, {r.frames} frames, "
          f"{fmt_duration(time.monotonic() - t0)} ({why})")
    if target.child is not None and target.log_path:
        print(f"perftui: the target's output is in {clean(target.log_path)}", file=sys.stderr)
    if r.error:
        print(f"perftui: {clean(r.error)}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    opts, command = split_command(argv)
    p = argparse.ArgumentParser(
        prog="perftui record",
        usage="perftui record (-p PID | -n NAME | -- CMD ARGS...) [-d SECONDS] [-o FILE] "
              "[-i INTERVAL]",
        description="Record a live session to a file, without the UI, until the target "
                    "exits, the duration ends or Ctrl-C (SIGINT/SIGTERM); SIGHUP is ignored.")
    target = p.add_mutually_exclusive_group()
    target.add_argument("-p", "--pid", type=pid_arg, help="record this process id")
    target.add_argument("-n", "--name", help="record the process matching this name")
    p.add_argument("-d", "--duration", type=positive_arg, metavar="SECONDS",
                   help="stop after this long (90, 5m, 2h)")
    p.add_argument("-o", "--output", metavar="FILE", help="the session file (default: "
                   "perftui-HOST-PID-YYYYmmdd-HHMMSS.perftui here); never overwritten")
    add_probes_option(p)
    p.add_argument("-i", "--interval", type=interval_arg, default=1.0, metavar="SECONDS",
                   help="sampling interval, 0.1 to 60 (default 1.0)")
    args = p.parse_args(opts)
    if command and (args.pid is not None or args.name is not None):
        p.error("give either -p/-n or a command after --, not both")
    if not command and args.pid is None and args.name is None:
        p.error("what to record: -p PID, -n NAME or -- CMD ARGS...")
    who = resolve_target(args, command)
    return record(who, args.output, args.interval, args.duration,
                  probes_for(who, args.probes, recording=True,
                             children=args.children))
