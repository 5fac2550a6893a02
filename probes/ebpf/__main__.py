"""``python -m perftui.probes.ebpf --pid N``: syscalls, latency, errors, file and socket bytes of
one process, from BPF programs (or perf_event counters when bcc cannot run).

Frames: ``hello`` at once (caps pending: "compiling BPF"), ``caps`` when the source is ready
or failed, then one ``sys`` per interval and a last one at once when the target ends (then
``gone``) or the probe is stopped.  Stops on stdin EOF,
SIGTERM, SIGINT, SIGHUP and the death of the app (all detach the programs); exit 2 for no
such pid.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import traceback

from perftui.probes.args import probe_parser
from perftui.probes.control import Grid
from perftui.probes.wire import FrameWriter

from . import VERSION
from .lifecycle import GONE, STOP, Lifecycle
from .program import COUNTS, FULL, NSLOT
from .start import AUTO, BPF, PERF, Source, Started, compiling_caps, pending_caps, start
from .strings import Interner


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = probe_parser("perftui.probes.ebpf", __doc__, pid_help="process to watch (all its threads)",
                     interval_help="seconds between frames")
    p.add_argument("--detail", choices=(FULL, COUNTS), default=FULL,
                   help="counts: syscall counts only, the cheapest (sys_enter alone)")
    p.add_argument("--source", choices=(AUTO, BPF, PERF), default=AUTO,
                   help="auto: BPF when bcc can run, else perf_event counters")
    p.add_argument("--exact-latency", action="store_true",
                   help="time every syscall, however many (default: above 50 000/s, time a "
                   "weighted sample plus every call that blocks)")
    p.add_argument("--children", action="store_true",
                   help="follow the process's descendants too (counted with it, and per "
                   "process in the sys frame's procs)")
    return p.parse_args(argv)


def _why_not(pid: int, err: Exception) -> str:
    """The end of "no process N..." for a pid that pidfd_open refused."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Tgid:") and int(line.split()[1]) != pid:
                    return f": it is a thread of process {line.split()[1]}"
    except (OSError, ValueError):
        pass
    return "" if isinstance(err, ProcessLookupError | FileNotFoundError) else f": {err}"


def _start_in_background(pid: int, args: argparse.Namespace,
                         strings: Interner) -> tuple[threading.Thread, list[Started]]:
    # Compiling takes 0.3-7 s: in a thread, so signals and the target's exit are seen meanwhile.
    box: list[Started] = []

    def run_start() -> None:
        try:
            box.append(start(pid, args.source, args.detail, strings, args.exact_latency,
                             args.children))
        except Exception as e:  # a bug: say so in the caps rather than die silently
            traceback.print_exc()
            box.append(Started(None, None, pending_caps(f"probe error: {e!r}")))

    thread = threading.Thread(target=run_start, name="start", daemon=True)
    thread.start()
    return thread, box


def _emit(writer: FrameWriter, source: Source, strings: Interner) -> None:
    ts = time.time()
    fields, warns = source.read()
    for cap, msg in warns:
        writer.write("warn", cap=cap, msg=msg)
    new = strings.take_new()
    if new:
        fields["strs"] = new
    writer.write("sys", ts=ts, **fields)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        life = Lifecycle(args.pid)
    except (OSError, ValueError, OverflowError) as e:
        print(f"no process {args.pid}{_why_not(args.pid, e)}", file=sys.stderr)
        return 2
    writer = FrameWriter(sys.stdout.buffer, "ebpf")

    def bad_command(line: str) -> None:
        writer.write("warn", cap="command", msg=f"unknown command: {line!r}")

    strings = Interner()
    grid = Grid(args.interval)
    writer.hello(args.pid, VERSION, args.interval, compiling_caps(),
                 source=None, detail=args.detail)
    thread, box = _start_in_background(args.pid, args, strings)
    while thread.is_alive():
        if life.stopped:
            return 0  # whatever the thread loaded goes with the process
        if life.target_gone():
            writer.write("gone", reason="exited")
            return 0
        life.control.wait(0.05)
        writer.beat()  # compiling can take seconds: the app sees the probe is alive
    started = box[0]
    writer.write("caps", caps=started.caps, source=started.kind, detail=args.detail,
                 buckets=NSLOT, startup_s=round(started.elapsed, 3))
    for cap, msg in started.notes:
        writer.write("warn", cap=cap, msg=msg)
    source = started.source
    try:
        grid.retime(grid.interval)  # the first interval starts now, not before compiling
        while True:
            why = life.wait_next(grid, bad_command)
            if source is not None:  # on a stop too: the counts of the interval under way
                _emit(writer, source, strings)
            if why == STOP:
                break
            if why == GONE:
                writer.write("gone", reason="exited")
                break
    finally:
        if source is not None:
            source.close()
    return 0


def run(argv: list[str] | None = None) -> None:
    status = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: die_with_parent's watcher thread holds sys.stdin's lock in a read, and a
    # normal interpreter shutdown then aborts.
    os._exit(status)


if __name__ == "__main__":
    run()
