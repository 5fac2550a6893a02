"""SIGTERM and SIGHUP end an app the way ``q`` does, instead of killing it mid-screen.

Killed outright, a Textual app leaves an ssh terminal in the alternate screen with mouse
reporting on and the cursor hidden, a recording without its index and probes' temporary
files behind.  Handled here, the app exits normally (its unmount handlers close the
recording and stop the probes, Textual restores the terminal) with status 128 + the signal,
as a shell reports a process ended by one.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from textual.app import App

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def exit_on_signals(app: App[Any]) -> None:
    """Called from the app's on_mount (in the event loop's thread)."""
    if app.is_headless:  # tests drive headless apps inside their own process: leave it be
        return
    loop = asyncio.get_running_loop()
    for sig in SIGNALS:
        loop.add_signal_handler(sig, app.exit, None, 128 + sig)
