"""The ``perftui`` command: parse arguments, find the target, run the app or a subcommand.

User mistakes end with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from perftui import __version__
from perftui.safetext import clean
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

if TYPE_CHECKING:  # imported when used: the probes start before the rest is imported
    from perftui.session.recorder import SessionRecorder
    from perftui.sources.probeproc import ProbeSpec

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


def add_probes_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--probes", type=probes_arg, default=None, metavar="LIST",
                   help="probes to run: auto (default: procfs, py-spy for Python, eBPF when "
                        "root with bcc) or a comma list of " + ", ".join(PROBE_NAMES))


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


PROBE_NAMES = ("procfs", "pyspy", "stacks", "ebpf", "perfcount")


def probes_arg(text: str) -> tuple[str, ...] | None:
    """``auto`` -> None (perftui picks); else a comma list of probe names."""
    if text == "auto":
        return None
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in PROBE_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown probe {', '.join(unknown) or repr(text)}: choose from "
            f"{', '.join(PROBE_NAMES)} or auto")
    return names


def probes_for(target: Target, only: tuple[str, ...] | None = None) -> list[ProbeSpec]:
    """The probes for a target: the same for the live view and ``perftui record``.
    ``only`` names them (procfs always runs: every pane starts from it)."""
    from perftui import probeselect as ps

    if only is None:
        return list(ps.select_probes(target.pid).probes)
    by_name = {"pyspy": ps.pyspy_spec(), "stacks": ps.STACKS, "ebpf": ps.EBPF,
               "perfcount": ps.PERFCOUNT}
    return [ps.PROCFS, *(by_name[n] for n in dict.fromkeys(only) if n != "procfs")]


def run_live(argv: list[str]) -> int:
    opts, command = split_command(argv)
    parser = live_parser()
    args = parser.parse_args(opts)
    if command and (args.pid is not None or args.name is not None):
        parser.error("give either -p/-n or a command after --, not both")
    from perftui.sources.early import EarlyStartSource
    from perftui.sources.live import LiveSource

    target = resolve_target(args, command)
    probes = probes_for(target, args.probes)
    recorder = _recorder(args.record, target, args.interval, probes)
    # Probes start now, while the UI is still being imported: the first frame comes sooner.
    source = EarlyStartSource(LiveSource(target.pid, args.interval, probes=probes,
                                         child=target.child, label=target.label))
    try:
        from perftui.app import create_app

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
    return 0


def _recorder(path: str | None, target: Target, interval: float,
              probes: list[ProbeSpec]) -> SessionRecorder | None:
    """``--record FILE``: its recorder, made before the UI so a bad path is a usage error."""
    if path is None:
        return None
    import psutil

    from perftui.session.format import SessionError
    from perftui.session.recorder import SessionRecorder, new_header

    try:
        command = psutil.Process(target.pid).cmdline()
    except psutil.Error:
        command = []
    header = new_header(target.pid, label=target.label, command=command, interval=interval,
                        probes=[p.name for p in probes])
    try:
        return SessionRecorder(path, header)
    except SessionError as exc:
        if target.child is not None:
            target.child.kill()
            target.child.wait()
        raise TargetError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return SUBCOMMANDS[argv[0]](argv[1:])
        return run_live(argv)
    except TargetError as exc:
        print(f"perftui: {clean(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
