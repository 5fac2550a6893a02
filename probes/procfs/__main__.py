"""``python -m perftui.probes.procfs --pid N``: hello, meta, then one sample per interval until the
target is gone (``gone``, exit 0), the app goes away (end of stdin) or a SIGTERM/SIGINT
arrives (exit 0).  A pid that does not exist: "no process N" on stderr, exit 2.
The app may send ``interval S`` lines on stdin to change the interval."""

from __future__ import annotations

import argparse
import os
import sys
import time

from perftui.probes.args import probe_parser
from perftui.probes.control import Control, Grid
from perftui.probes.taskstats import ExitWatcher, watch_exit
from perftui.probes.wire import FrameWriter, die_with_parent

from . import VERSION
from .collector import Collector, Gone, Result
from .procread import field_int, read_proc
from .tree import ProcessTree


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = probe_parser("perftui.probes.procfs", __doc__, pid_help="process to watch",
                     interval_help="seconds between samples")
    p.add_argument("--fd-refresh", type=int, default=5, metavar="K",
                   help="send the open-file list every K samples (and when it changes)")
    p.add_argument("--count", type=int, default=0, metavar="N",
                   help="stop after N samples (0: until the target is gone)")
    p.add_argument("--children", action="store_true",
                   help="the target's descendants too: a row each per sample (procs), and "
                   "the exit records of those that ended (exits, root only)")
    return p.parse_args(argv)


def _not_a_process(pid: int) -> str | None:
    """Why ``pid`` cannot be watched, or None.  /proc/TID also exists for threads."""
    try:
        tgid = field_int(read_proc(f"/proc/{pid}/status"), b"\nTgid:")
    except (FileNotFoundError, ProcessLookupError):
        return f"no process {pid}"
    except OSError as e:
        return f"no process {pid}: {e.strerror}"
    if tgid is not None and tgid != pid:
        return f"no process {pid}: it is a thread of process {tgid}"
    return None


def _emit(writer: FrameWriter, res: Result, tree: ProcessTree | None = None,
          exits: ExitWatcher | None = None) -> None:
    for cap, msg in res.warns:
        writer.write("warn", cap=cap, msg=msg)
    if res.meta is not None:
        writer.write("meta", **res.meta)
    if tree is not None:
        res.fields["procs"] = tree.rows()
        if tree.reaped_cpu is not None:
            res.fields["reaped_cpu"] = list(tree.reaped_cpu)
        if exits is not None and exits.tree is not None:
            exits.tree.update(tree.known)  # (the reader thread only adds to it)
            res.fields["exits"] = exits.take_exits()
    writer.write("sample", ts=res.ts, **res.fields)


def _wait_for_next(control: Control, grid: Grid, writer: FrameWriter) -> None:
    """Sleep until the next slot of the grid, applying commands that arrive meanwhile."""
    due = grid.next_due()
    while not control.stopped:
        for line in control.take_bad_commands():
            writer.write("warn", cap="command", msg=f"unknown command: {line!r}")
        interval = control.take_interval()
        if interval is not None:
            grid.retime(interval)
            due = grid.next_due()
        left = due - time.monotonic()
        if left <= 0 or control.target_exited:
            return  # the target's end: its last sample now, before it is reaped
        control.wait(left)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    control = Control()  # before die_with_parent, whose way out is SIGTERM
    control.listen_stdin()
    die_with_parent()
    error = _not_a_process(args.pid) if args.pid > 0 else f"no process {args.pid}"
    collector: Collector | None = None
    if error is None:
        try:
            collector = Collector(args.pid, fd_refresh=args.fd_refresh)
        except (FileNotFoundError, ProcessLookupError, Gone):
            error = f"no process {args.pid}"
    if collector is None:
        print(error, file=sys.stderr)
        return 2
    # Registered before any exit, so an attached target's exit status can be reported (root).
    exits = watch_exit(args.pid)
    tree = ProcessTree(args.pid) if args.children else None
    if tree is not None and exits is not None:
        exits.follow(set())
    control.watch_target(args.pid)
    writer = FrameWriter(sys.stdout.buffer, "procfs")
    writer.hello(args.pid, VERSION, args.interval, collector.caps, ncpu=os.cpu_count())
    grid = Grid(args.interval)
    samples = 0
    try:
        writer.write("meta", **collector.meta())
        while not control.stopped:
            _emit(writer, collector.collect(), tree, exits)
            if exits is not None:
                exits.status()  # drain the host's other exits: keep room for the target's
            samples += 1
            if samples == args.count:
                break
            _wait_for_next(control, grid, writer)
    except Gone as gone:
        try:
            status = exits.status(wait_s=1.0) if exits is not None else None
        except OSError:  # the listener broke: the exit goes unreported, not the probe
            status = None
        how = {} if status is None else {"code": status[0], "signal": status[1]}
        cpu = exits.cpu() if exits is not None and status is not None else None
        if cpu is not None and gone.reason == "exited":
            # Reaped before a last sample: its CPU to the end, from the kernel's exit record
            # (memory and I/O after the last sample are not known: the report says how long).
            writer.write("sample", state="X", final=True, source="taskstats",
                         cpu=[round(cpu[0], 6), round(cpu[1], 6)],
                         **({"exits": exits.take_exits()} if tree is not None and exits else {}))
        writer.write("gone", reason=gone.reason, **how)
    finally:
        collector.close()
        if exits is not None:
            exits.close()
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: the command reader thread may sit in a read of stdin, and interpreter
    # shutdown with a daemon thread in a blocking read can abort.
    os._exit(status)
