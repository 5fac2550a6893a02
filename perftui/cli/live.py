"""``perftui [-p PID | -n NAME | -- CMD]``: the live view (LiveSource -> tee -> feed -> ui)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from perftui import __version__
from perftui.cli.args import add_probes_option, interval_arg, pid_arg, split_command
from perftui.cli.pick import probes_for, resolve_target
from perftui.cli.terminal import give_up, missing_terminal, record_instead
from perftui.host.target import Target, TargetError
from perftui.safetext import clean
from perftui.themes import names as theme_names

if TYPE_CHECKING:  # imported when used: the probes start before the rest is imported
    from perftui.session.recorder import SessionRecorder
    from perftui.sources.probeproc import ProbeSpec


def live_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="perftui",
        usage="perftui [-p PID | -n NAME | -- CMD ARGS...] [options]\n"
              "       perftui doctor [-p PID]\n"
              "       perftui record|replay|report|diff|export ... (see perftui CMD -h)",
        description="Watch one live process: CPU and threads, memory, file and network I/O, "
                    "syscalls. With no target, watches a built-in demo process.",
        epilog="Subcommands: doctor (what this host lets perftui collect, and how to fix "
               "what is missing); record (a session to a file, no UI); replay FILE; "
               "report FILE; diff A B; export FILE.")
    target = p.add_mutually_exclusive_group()
    target.add_argument("-p", "--pid", type=pid_arg, help="attach to this process id")
    target.add_argument("-n", "--name", help="attach to the process matching this name "
                        "(a regular expression, like pgrep)")
    p.add_argument("-d", "--interval", type=interval_arg, default=1.0, metavar="SECONDS",
                   help="refresh interval, 0.1 to 60 (default 1.0)")
    p.add_argument("--theme", help="colour theme: perftui-dark (default), perftui-light, "
                   "perftui-high-contrast")
    p.add_argument("-o", "--record", metavar="FILE", help="record the session to FILE from "
                   "the start (never overwritten); r in the app starts and stops a recording")
    add_probes_option(p)
    p.add_argument("--version", action="version", version=f"perftui {__version__}")
    return p


def run_live(argv: list[str]) -> int:
    opts, command = split_command(argv)
    parser = live_parser()
    args = parser.parse_args(opts)
    if command and (args.pid is not None or args.name is not None):
        parser.error("give either -p/-n or a command after --, not both")
    if args.theme is not None and args.theme not in theme_names():
        parser.error(f"unknown theme {args.theme!r}; available: {', '.join(theme_names())}")
    from perftui.sources.early import EarlyStartSource
    from perftui.sources.live import LiveSource

    target = resolve_target(args, command)
    probes = probes_for(target, args.probes, children=args.children)
    recorder = _recorder(args.record, target, args.interval, probes)
    no_tty = missing_terminal()
    if no_tty is not None:
        give_up(target, recorder)
        raise TargetError(f"the live view needs a terminal, and {no_tty} is not one; "
                          "to watch without one, record and summarize: "
                          + record_instead(target, command))
    # Probes start now, while the UI is still being imported: the first frame comes sooner.
    source = EarlyStartSource(LiveSource(target.pid, args.interval, probes=probes,
                                         child=target.child, label=target.label))
    try:
        from perftui.ui import create_app

        app = create_app(source, interval=args.interval, theme=args.theme, record_to=recorder)
    except ValueError as exc:
        source.stop()
        if recorder is not None:
            recorder.close()
        raise TargetError(str(exc)) from None
    try:
        app.run()
    finally:
        source.stop()
        app.stop_recording()  # already stopped on quit; here for a crash
    for path in app.recorded:
        print(f"perftui: recorded to {clean(path)}", file=sys.stderr)
    if target.child is not None and target.log_path:
        print(f"perftui: the target's output is in {clean(target.log_path)}", file=sys.stderr)
    return app.return_code or 0  # 128 + N after SIGTERM or SIGHUP, the rest cleaned up


def _recorder(path: str | None, target: Target, interval: float,
              probes: list[ProbeSpec]) -> SessionRecorder | None:
    """``--record FILE``: its recorder, made before the UI so a bad path is a usage error."""
    if path is None:
        return None
    from perftui.session.format import SessionError
    from perftui.session.recorder import SessionRecorder
    from perftui.session.tee import target_header

    header = target_header(target.pid, target.label, interval, [p.name for p in probes])
    try:
        return SessionRecorder(path, header)
    except SessionError as exc:
        if target.child is not None:
            target.child.end()  # held: never runs
        raise TargetError(str(exc)) from None
