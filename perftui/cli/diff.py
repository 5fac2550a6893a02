"""``perftui diff A B``: B against A; exit status 1 on a regression."""

from __future__ import annotations

import argparse
import math
import sys

from perftui.cli.args import add_window, warn


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="perftui diff",
        description="Compare two recorded sessions: B against A.  Exit status 1 when B "
                    "regressed on a metric by more than the threshold.")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--json", action="store_true", help="JSON instead of a table")
    p.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                   help="a change worse than this many percent is a regression (default 5)")
    add_window(p)
    args = p.parse_args(argv)
    if not math.isfinite(args.threshold) or args.threshold < 0:
        p.error("--threshold must be a number, 0 or more")
    from perftui.report.compare import compare
    from perftui.report.jsonout import dumps
    from perftui.report.load import summarize
    from perftui.report.render_diff import render

    a, wa = summarize(args.a, args.start, args.end)
    b, wb = summarize(args.b, args.start, args.end)
    warn(wa + wb)
    diff = compare(a, b, args.threshold)
    if args.json:
        text, bad = dumps({"a": args.a, "b": args.b, **diff})
        warn(bad)
        print(text)
    elif sys.stdin.isatty() and sys.stdout.isatty():  # a person at a terminal: the screen
        from perftui.ui.screens.diff import DiffApp

        DiffApp(diff, args.a, args.b).run()
    else:  # a pipe or a file: the table
        from rich.console import Console

        render(diff, args.a, args.b, Console())
    return 1 if diff["regressions"] else 0
