"""``perftui report FILE``: a summary of a recorded session, as a table or JSON."""

from __future__ import annotations

import argparse

from perftui.cli.args import add_window, warn


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="perftui report",
                                description="Summarize a recorded session (docs/report-json.md).")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_window(p)
    args = p.parse_args(argv)
    from perftui.report.load import summarize
    from perftui.report.render import render, to_json

    report, warnings = summarize(args.file, args.start, args.end)
    if args.json:
        text, bad = to_json(report)
        warn(warnings + bad)
        print(text)
        return 0
    warn(warnings)
    from rich.console import Console

    render(report, Console())
    return 0
