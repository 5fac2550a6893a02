"""(8) The ``perftui`` command: one module per verb, each composing the layers below.

``main`` picks the verb; each verb parses its own arguments.  User mistakes (TargetError,
SessionError) end with one line on stderr and exit status 2, never a traceback.  A reader
that goes away (``perftui report | head``) ends the output quietly, as for any Unix filter.
"""

from __future__ import annotations

import importlib
import os
import sys

from perftui.cli.args import EXIT_USAGE
from perftui.host.target import TargetError
from perftui.safetext import clean
from perftui.session.format import SessionError

# Verb -> module with its ``main(argv)``; imported when used, so `perftui -p` starts its
# probes before the UI's imports.
VERBS = {"doctor": "doctor", "record": "record", "replay": "replay", "report": "report",
         "diff": "diff", "export": "export"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] in VERBS:
            module = importlib.import_module(f"perftui.cli.{VERBS[argv[0]]}")
            code: int = module.main(argv[1:])
            return code
        from perftui.cli.live import run_live

        return run_live(argv)
    except (TargetError, SessionError) as exc:
        print(f"perftui: {clean(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_SIGPIPE


EXIT_SIGPIPE = 128 + 13  # what a shell reports for a filter ended by SIGPIPE


if __name__ == "__main__":
    raise SystemExit(main())
