"""``perftui export FILE --format F``: the report JSON, or stacks as folded text or speedscope."""

from __future__ import annotations

import argparse
import sys

from perftui.cli.args import add_window, warn
from perftui.session.format import SessionError


def main(argv: list[str]) -> int:
    from perftui.report.export import FORMATS, export

    p = argparse.ArgumentParser(prog="perftui export",
                                description="Export a recorded session: the report as "
                                            "JSON, or Python stacks (folded, speedscope).")
    p.add_argument("file")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    add_window(p)
    args = p.parse_args(argv)
    text, warnings = export(args.file, args.format, args.start, args.end)
    warn(warnings)
    if args.output:
        try:
            with open(args.output, "w") as f:
                f.write(text)
        except OSError as exc:
            raise SessionError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0
