"""``python -m perftui.probes.pyspy --pid N``: hello, then one ``chunk`` frame of Python stack
samples per chunk (``--interval`` seconds, whole seconds, at least 2) until the target is gone
(``gone``, exit 0), the app goes away (end of stdin) or a SIGTERM/SIGINT arrives (exit 0).

A target py-spy cannot read (no py-spy, no ptrace rights, not Python, a Python too new) gets a
hello whose ``stacks`` capability says why, the same sentence on stderr, and exit status 2:
restarting would not help.  A pid that does not exist: "no process N" on stderr, exit 2.

Commands on stdin: ``interval S`` (chunk length, from the next chunk) and ``option NAME on|off``
(NAME: idle, gil, native, subprocesses), which ends the running chunk early and starts the next
one with the new options, announced by an ``options`` frame; ``fresh on|off [WHO]`` (WHO:
``view``, the default, or ``record``): chunks stay ``--interval`` long while anyone asks, and
a longer running one is cut.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from types import FrameType
from typing import Any

from perftui.probes import targetinfo as target
from perftui.probes.args import positive, probe_parser
from perftui.probes.companions import NotFound, find_pyspy
from perftui.probes.control import Control
from perftui.probes.wire import FrameWriter, cap, die_with_parent

from . import VERSION
from .errors import DENIED, GONE, NOT_PYTHON, OTHER, UNSUPPORTED, Failure
from .names import Dump, dump, pyspy_version
from .options import Options
from .sampler import EXIT_CANNOT, NATIVE_WARNING, Sampler, chunk_seconds

STARTUP_GRACE_S = 3.0  # a process this young may not have loaded its interpreter yet


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = probe_parser("perftui.probes.pyspy", __doc__, pid_help="Python process to sample",
                     interval_help="seconds per chunk (rounded to whole seconds, at least 2)",
                     keep_layout=True)
    p.add_argument("--rate", type=int, default=100, help="samples per second (default 100)")
    p.add_argument("--idle", action="store_true", help="include idle threads")
    p.add_argument("--gil", action="store_true", help="only threads holding the GIL")
    p.add_argument("--native", action="store_true",
                   help="native frames too (py-spy then pauses the target at every sample)")
    p.add_argument("--subprocesses", action="store_true", help="sample child processes too")
    p.add_argument("--lines", action="store_true",
                   help="the line being run in each frame, not the function's first line")
    p.add_argument("--max-chunk", type=int, default=0, metavar="S",
                   help="let chunks after the first grow (doubling) to S seconds while no "
                   "'fresh on' command asks for short ones: fewer py-spy starts, less CPU")
    p.add_argument("--names-every", type=positive, default=30.0, metavar="S",
                   help="refresh thread names with py-spy dump every S seconds")
    p.add_argument("--count", type=int, default=0, metavar="N",
                   help="stop after N chunks (0: until the target is gone)")
    args = p.parse_args(argv)
    if not 1 <= args.rate <= 10_000:
        p.error("--rate must be between 1 and 10000")
    if not 0 <= args.max_chunk <= 60:
        p.error("--max-chunk must be between 0 and 60 seconds")
    return args


def start_options(args: argparse.Namespace) -> Options:
    return Options(idle=args.idle, gil=args.gil, native=args.native,
                   subprocesses=args.subprocesses, lines=args.lines)


def _first_look(pyspy: str, pid: int, version: str, control: Control) -> Dump | Failure:
    """A dump: thread names, and the proof py-spy can read the target.  A Python process
    still starting up looks like "not Python" to py-spy for a moment, so for a young process
    whose executable is a python that answer is only taken once it is a few seconds old."""
    tries = 0
    while True:
        found = dump(pyspy, pid, version)
        tries += 1
        if isinstance(found, Dump) or control.stopped:
            return found
        young = ((target.age(pid) or STARTUP_GRACE_S) < STARTUP_GRACE_S
                 and target.python_version(pid) is not None)
        if not (found.kind == NOT_PYTHON and young) and not (found.kind == OTHER and tries < 3):
            return found
        control.wait(0.25)


def _on_child(signum: int, frame: FrameType | None) -> None:
    """Nothing to do: having a handler makes SIGCHLD reach Control's wakeup descriptor."""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    control = Control()  # before die_with_parent, whose way out is SIGTERM
    control.listen_stdin()
    die_with_parent()
    signal.signal(signal.SIGCHLD, _on_child)
    if args.pid <= 0 or target.state(args.pid) is None:
        print(f"no process {args.pid}", file=sys.stderr)
        return 2
    writer = FrameWriter(sys.stdout.buffer, "pyspy")
    seconds = chunk_seconds(args.interval)
    options = start_options(args)
    info: dict[str, Any] = {"rate": args.rate, "python": target.python_version(args.pid),
                            "options": options.flags()}

    def refuse(why: str) -> int:
        writer.hello(args.pid, VERSION, seconds, {"stacks": cap(False, why),
                                                  "thread_names": cap(False, why)}, **info)
        writer.write("warn", cap="stacks", msg=why)
        print(why, file=sys.stderr)  # the app shows a dead probe's last words
        return EXIT_CANNOT

    try:
        pyspy = find_pyspy().path
    except NotFound as e:
        return refuse(str(e))
    version = pyspy_version(pyspy)
    info["pyspy"] = version
    first = _first_look(pyspy, args.pid, version, control)
    caps = {"stacks": cap(True), "thread_names": cap(True)}
    names: dict[int, str] = {}
    if isinstance(first, Failure):
        reason = target.gone_reason(args.pid)
        if first.kind == GONE or reason is not None:
            writer.hello(args.pid, VERSION, seconds,
                         {"stacks": cap(False, "the target is gone")}, **info)
            writer.write("gone", reason=reason or "exited")
            return 0
        if first.kind in (DENIED, NOT_PYTHON, UNSUPPORTED):
            return refuse(first.sentence)
        caps["thread_names"] = cap(False, first.sentence)
    else:
        names = first.names
    if args.native:
        caps["native"] = cap(True)
    writer.hello(args.pid, VERSION, seconds, caps, **info)
    if args.native:
        writer.write("warn", cap="native", msg=NATIVE_WARNING)
    if names:
        writer.write("threads", threads=names)
    if control.stopped:
        return 0
    return Sampler(writer, control, pyspy, args.pid, rate=args.rate, seconds=seconds,
                   options=options, pyspy_version=version, names=names,
                   names_every=args.names_every, count=args.count,
                   max_seconds=args.max_chunk).run()


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: the command reader thread may sit in a read of stdin (perftui.probes.procfs).
    os._exit(status)
