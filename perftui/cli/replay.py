"""``perftui replay FILE``: a session file played back in the app (ReplaySource -> feed -> ui)."""

from __future__ import annotations

import argparse
import shlex

from perftui.cli.args import SPEED_NAMES, warn
from perftui.cli.terminal import missing_terminal
from perftui.safetext import clean
from perftui.session.format import SessionError


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="perftui replay",
                                description="Play a recorded session back in the app.")
    p.add_argument("file")
    p.add_argument("--speed", choices=list(SPEED_NAMES), default="1",
                   help="playback speed (default 1)")
    p.add_argument("--paused", action="store_true", help="start paused")
    p.add_argument("--theme", help="colour theme (see perftui --help)")
    args = p.parse_args(argv)
    from perftui.sources.replay import ReplaySource
    from perftui.ui import create_app

    source = ReplaySource(args.file, speed=SPEED_NAMES[args.speed], playing=not args.paused)
    no_tty = missing_terminal()
    if no_tty is not None:
        source.stop()
        raise SessionError(f"replay needs a terminal, and {no_tty} is not one; for a "
                           f"summary without one: perftui report {clean(shlex.quote(args.file))}")
    warn(source.warnings)
    try:
        app = create_app(source, interval=source.interval, theme=args.theme)
    except ValueError as exc:
        source.stop()
        raise SessionError(str(exc)) from None
    try:
        app.run()
    finally:
        source.stop()
    return app.return_code or 0
