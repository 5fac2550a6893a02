"""The live view and replay draw on a terminal: what to say, and undo, when there is none.

``perftui -p PID | less`` or a cron job would otherwise get a screen's worth of escape codes
in a pipe or a file.  The check comes after the target and options are known to be right
(a mistake is still said first, as with a terminal) and before anything runs.
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import TYPE_CHECKING

from perftui.safetext import clean

if TYPE_CHECKING:  # the live view imports these when it uses them (its probes start first)
    from perftui.host.target import Target
    from perftui.session.recorder import SessionRecorder


def missing_terminal() -> str | None:
    """Which of stdout and stdin is not a terminal, in words; None when both are."""
    for name, stream in (("standard output", sys.stdout), ("standard input", sys.stdin)):
        try:
            tty = stream is not None and os.isatty(stream.fileno())
        except (OSError, ValueError):  # closed, or no file descriptor behind it
            tty = False
        if not tty:
            return name
    return None


def record_instead(target: Target, command: list[str]) -> str:
    """The ``perftui record`` command line that watches the same target without a UI."""
    if command:
        who = "-- " + clean(shlex.join(command))
    elif target.child is not None:  # the built-in demo
        who = "-p PID"
    else:
        who = f"-p {target.pid}"
    return (f"perftui record -d 60 -o session.perftui {who} && "
            "perftui report session.perftui")


def give_up(target: Target, recorder: SessionRecorder | None) -> None:
    """Undo what was prepared for the view: the held command never runs, and the files made
    for it (its output log, an empty recording) are removed."""
    if target.child is not None:
        target.child.end()
        if target.log_path and target.log_path != os.devnull:
            _remove(target.log_path)
    if recorder is not None:
        recorder.close()
        _remove(recorder.path)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
