"""The command line every probe shares: ``--pid N --interval S``, plus its own options."""

from __future__ import annotations

import argparse


def positive(text: str) -> float:
    """A number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {text}")
    return value


def probe_parser(module: str, description: str | None, *, pid_help: str,
                 interval_help: str, keep_layout: bool = False) -> argparse.ArgumentParser:
    """A parser for ``python -m MODULE`` with the two options the app always passes.
    ``keep_layout``: print the description as written (it has a table or a list)."""
    formatter = (argparse.RawDescriptionHelpFormatter if keep_layout
                 else argparse.HelpFormatter)
    p = argparse.ArgumentParser(prog=f"python -m {module}", description=description,
                                formatter_class=formatter)
    p.add_argument("--pid", type=int, required=True, help=pid_help)
    p.add_argument("--interval", type=positive, default=1.0, help=interval_help)
    return p
