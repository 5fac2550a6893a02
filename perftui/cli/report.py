"""``perftui report FILE``: a summary of a recorded session, as a table or JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from perftui.cli.args import add_window, warn

# Shipped with perftui (a link to docs/ in a checkout): the help names a file that is there.
FIELDS_DOC = Path(__file__).parent.parent / "docs" / "report-json.md"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="perftui report",
                                description="Summarize a recorded session; the JSON fields "
                                            f"are described in {FIELDS_DOC}")
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
