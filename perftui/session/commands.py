"""The session subcommands: record, replay, report, diff, export (wired in perftui.cli).

Every user mistake and unreadable file is a SessionError or TargetError: one line, exit 2.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys

from perftui.safetext import clean
from perftui.session.format import SessionError

_DURATION = re.compile(r"^(-?\d+(?:\.\d*)?)(ms|s|m|h)?$")
_UNIT = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
SPEED_NAMES = {"1": 1.0, "2": 2.0, "10": 10.0, "max": math.inf}


def time_arg(text: str) -> float:
    """``90``, ``1.5m``, ``2h``, ``-60`` (from the end), or an epoch timestamp."""
    m = _DURATION.match(text.strip())
    if m is None:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (seconds, 5m, 1h or a "
                                         "timestamp)")
    return float(m.group(1)) * _UNIT[m.group(2)]


def positive_arg(text: str) -> float:
    value = time_arg(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def _window(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", type=time_arg, metavar="T",
                   help="start of the window: seconds from the session's start (5m, 1h; "
                        "negative: back from its end) or an epoch timestamp")
    p.add_argument("--to", dest="end", type=time_arg, metavar="T", help="end of the window")


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        print(f"perftui: warning: {clean(w)}", file=sys.stderr)


def record_main(argv: list[str]) -> int:
    from perftui.cli import (
        add_probes_option,
        interval_arg,
        pid_arg,
        probes_for,
        resolve_target,
        split_command,
    )
    from perftui.session.record import record

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
    return record(who, args.output, args.interval, args.duration, probes_for(who, args.probes))


def replay_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="perftui replay",
                                description="Play a recorded session back in the app.")
    p.add_argument("file")
    p.add_argument("--speed", choices=list(SPEED_NAMES), default="1",
                   help="playback speed (default 1)")
    p.add_argument("--paused", action="store_true", help="start paused")
    p.add_argument("--theme", help="colour theme (see perftui --help)")
    args = p.parse_args(argv)
    from perftui.app import create_app
    from perftui.sources.replay import ReplaySource

    source = ReplaySource(args.file, speed=SPEED_NAMES[args.speed], playing=not args.paused)
    _warn(source.warnings)
    try:
        app = create_app(source, interval=source.interval, theme=args.theme)
    except ValueError as exc:
        source.stop()
        raise SessionError(str(exc)) from None
    try:
        app.run()
    finally:
        source.stop()
    return 0


def report_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="perftui report",
                                description="Summarize a recorded session (docs/report-json.md).")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="JSON instead of a table")
    _window(p)
    args = p.parse_args(argv)
    from perftui.session.load import summarize
    from perftui.session.report import render, to_json

    report, warnings = summarize(args.file, args.start, args.end)
    _warn(warnings)
    if args.json:
        print(to_json(report))
    else:
        from rich.console import Console

        render(report, Console())
    return 0


def diff_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="perftui diff",
        description="Compare two recorded sessions: B against A.  Exit status 1 when B "
                    "regressed on a metric by more than the threshold.")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--json", action="store_true", help="JSON instead of a table")
    p.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                   help="a change worse than this many percent is a regression (default 5)")
    _window(p)
    args = p.parse_args(argv)
    if args.threshold < 0:
        p.error("--threshold must be 0 or more")
    from perftui.model.compare import compare
    from perftui.session.diff import render
    from perftui.session.load import summarize

    a, wa = summarize(args.a, args.start, args.end)
    b, wb = summarize(args.b, args.start, args.end)
    _warn(wa + wb)
    diff = compare(a, b, args.threshold)
    if args.json:
        print(json.dumps({"a": args.a, "b": args.b, **diff}, indent=2))
    elif sys.stdin.isatty() and sys.stdout.isatty():  # a person at a terminal: the screen
        from perftui.screens.diff import DiffApp

        DiffApp(diff, args.a, args.b).run()
    else:  # a pipe or a file: the table
        from rich.console import Console

        render(diff, args.a, args.b, Console())
    return 1 if diff["regressions"] else 0


def export_main(argv: list[str]) -> int:
    from perftui.session.export import FORMATS, export

    p = argparse.ArgumentParser(prog="perftui export",
                                description="Export a recorded session: the report as "
                                            "JSON, or Python stacks (folded, speedscope).")
    p.add_argument("file")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    _window(p)
    args = p.parse_args(argv)
    text, warnings = export(args.file, args.format, args.start, args.end)
    _warn(warnings)
    if args.output:
        try:
            with open(args.output, "w") as f:
                f.write(text)
        except OSError as exc:
            raise SessionError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0
