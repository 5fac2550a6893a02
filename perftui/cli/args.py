"""Arguments every verb shares: pids, intervals, times, probe lists, the window options.

User mistakes end with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys

from perftui.probes.wire import MAX_INTERVAL, MIN_INTERVAL
from perftui.safetext import clean
from perftui.units import parse_time

EXIT_USAGE = 2
PROBE_NAMES = ("procfs", "pyspy", "stacks", "ebpf", "perfcount")
SPEED_NAMES = {"1": 1.0, "2": 2.0, "10": 10.0, "max": math.inf}


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
    p.add_argument("--children", action=argparse.BooleanOptionalAction, default=None,
                   help="watch the target's descendants too (the default for a command "
                        "perftui starts; --no-children: the one process only)")


def split_command(argv: list[str]) -> tuple[list[str], list[str]]:
    """``perftui [opts] -- CMD ARGS`` -> (opts, CMD ARGS)."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


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


def time_arg(text: str) -> float:
    """``90``, ``1.5m``, ``2h``, ``-60`` (from the end), or an epoch timestamp."""
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_arg(text: str) -> float:
    value = time_arg(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def add_window(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", type=time_arg, metavar="T",
                   help="start of the window: seconds from the session's start (5m, 1h; "
                        "negative: back from its end) or an epoch timestamp")
    p.add_argument("--to", dest="end", type=time_arg, metavar="T", help="end of the window")


def warn(warnings: list[str]) -> None:
    for w in warnings:
        print(f"perftui: warning: {clean(w)}", file=sys.stderr)


