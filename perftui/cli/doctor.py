"""``perftui doctor``: what this host lets perftui collect, and how to fix the rest."""

from __future__ import annotations

import argparse
import sys

from perftui.cli.args import pid_arg


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="perftui doctor",
                                description="What this host lets perftui collect, and how "
                                            "to fix what is missing.")
    p.add_argument("-p", "--pid", type=pid_arg, help="also check access to this process")
    args = p.parse_args(argv)
    from perftui.host import doctor

    return doctor.run(args.pid, sys.stdout)
