"""``perftui export FILE --format F``: the report JSON, or stacks as folded text or speedscope."""

from __future__ import annotations

import argparse
import sys

from perftui.cli.args import add_window, warn
from perftui.outfile import OutputError, write_private
from perftui.session.format import SessionError


def main(argv: list[str]) -> int:
    from perftui.report.export import FORMATS, export

    p = argparse.ArgumentParser(prog="perftui export",
                                description="Export a recorded session: the report as "
                                            "JSON, or Python stacks (folded, speedscope).")
    p.add_argument("file")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("-o", "--output", metavar="FILE", help="write here, a new file readable "
                   "by its owner only (default: stdout)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing regular file (never a link)")
    add_window(p)
    args = p.parse_args(argv)
    text, warnings = export(args.file, args.format, args.start, args.end)
    warn(warnings)
    if args.output:
        try:
            write_private(args.output, text, force=args.force)
        except OutputError as exc:
            hint = "" if args.force or "already exists" not in str(exc) else \
                " (not overwritten: --force replaces a regular file)"
            raise SessionError(f"{exc}{hint}") from None
        except OSError as exc:
            raise SessionError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0
