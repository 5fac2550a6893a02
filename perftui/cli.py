"""The ``perftui`` command: parse arguments, find the target, run the app or a subcommand.

User mistakes end with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from perftui import __version__
from perftui.target import (
    Target,
    TargetError,
    check_pid,
    describe,
    find_by_name,
    format_candidates,
    spawn,
    spawn_demo,
)
from probes.wire import MAX_INTERVAL, MIN_INTERVAL

EXIT_USAGE = 2


def interval_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not MIN_INTERVAL <= value <= MAX_INTERVAL:
        raise argparse.ArgumentTypeError(
            f"must be between {MIN_INTERVAL:g} and {MAX_INTERVAL:g} seconds")
    return value


def pid_arg(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a process id: {text!r}") from None


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
    p.add_argument("--version", action="version", version=f"perftui {__version__}")
    return p


def doctor_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="perftui doctor",
                                description="What this host lets perftui collect, and how "
                                            "to fix what is missing.")
    p.add_argument("-p", "--pid", type=pid_arg, help="also check access to this process")
    args = p.parse_args(argv)
    from perftui import doctor

    return doctor.run(args.pid, sys.stdout)


def _session_command(name: str) -> Callable[[list[str]], int]:
    """A session subcommand (perftui.session.commands), its file errors made user errors."""
    def run(argv: list[str]) -> int:
        from perftui.session import commands
        from perftui.session.format import SessionError

        main: Callable[[list[str]], int] = getattr(commands, f"{name}_main")
        try:
            return main(argv)
        except SessionError as exc:
            raise TargetError(str(exc)) from None
    return run


SUBCOMMANDS: dict[str, Callable[[list[str]], int]] = {
    "doctor": doctor_main,
    **{name: _session_command(name) for name in ("record", "replay", "report", "diff",
                                                  "export")},
}


def split_command(argv: list[str]) -> tuple[list[str], list[str]]:
    """``perftui [opts] -- CMD ARGS`` -> (opts, CMD ARGS)."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def resolve_target(args: argparse.Namespace, command: list[str]) -> Target:
    if command:
        return spawn(command)
    if args.pid is not None:
        check_pid(args.pid)
        return Target(args.pid, describe(args.pid))
    if args.name is not None:
        matches = find_by_name(args.name)
        if not matches:
            raise TargetError(f"no process matches {args.name!r}")
        if len(matches) == 1:
            return Target(matches[0].pid, describe(matches[0].pid))
        if sys.stdin.isatty() and sys.stdout.isatty():
            from perftui.chooser import choose_process

            pid = choose_process(matches)
            if pid is None:
                raise TargetError("no process chosen")
            check_pid(pid)
            return Target(pid, describe(pid))
        raise TargetError(f"{len(matches)} processes match {args.name!r}; pick one with -p:\n"
                          + format_candidates(matches))
    return spawn_demo()


def run_live(argv: list[str]) -> int:
    opts, command = split_command(argv)
    parser = live_parser()
    args = parser.parse_args(opts)
    if command and (args.pid is not None or args.name is not None):
        parser.error("give either -p/-n or a command after --, not both")
    from perftui.sources.early import EarlyStartSource
    from perftui.sources.live import LiveSource

    target = resolve_target(args, command)
    # Probes start now, while the UI is still being imported: the first frame comes sooner.
    source = EarlyStartSource(LiveSource(target.pid, args.interval, child=target.child,
                                         label=target.label))
    try:
        from perftui.app import create_app

        app = create_app(source, interval=args.interval, theme=args.theme)
    except ValueError as exc:
        source.stop()
        raise TargetError(str(exc)) from None
    try:
        app.run()
    finally:
        source.stop()
    if target.child is not None and target.log_path:
        print(f"perftui: the target's output is in {target.log_path}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return SUBCOMMANDS[argv[0]](argv[1:])
        return run_live(argv)
    except TargetError as exc:
        print(f"perftui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
