"""Waiting for the next interval, the target's exit or a stop, whichever comes first.

Signals and the app's commands are perftui.probes.control's (SIGTERM, SIGINT, stdin EOF); SIGHUP
stops this probe too, so a closed terminal also detaches its BPF programs.  The target's
exit is seen through a pidfd, tied to the process rather than to its reusable number.
"""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Callable
from types import FrameType

from perftui.probes.control import Control, Grid
from perftui.probes.wire import die_with_parent

STOP, GONE, TIME = "stop", "gone", "time"


class Lifecycle:
    def __init__(self, pid: int) -> None:
        """Raises ProcessLookupError when there is no such process."""
        self._pidfd = os.pidfd_open(pid)
        self.control = Control()  # before die_with_parent, whose way out is SIGTERM
        self.control.listen_stdin()
        self.control.watch_target(pid)  # the exit wakes the wait: the final counts at once
        die_with_parent()
        signal.signal(signal.SIGHUP, self._hangup)
        self._gone = select.poll()
        self._gone.register(self._pidfd, select.POLLIN)

    def _hangup(self, signum: int, frame: FrameType | None) -> None:
        self.control.stopped = True

    @property
    def stopped(self) -> bool:
        return self.control.stopped

    def target_gone(self) -> bool:
        return self.control.target_exited or bool(self._gone.poll(0))

    def wait_next(self, grid: Grid, on_bad: Callable[[str], None]) -> str:
        """Sleep until the grid's next slot; STOP, GONE or TIME.  An ``interval S`` command
        retimes the grid meanwhile; unknown commands go to ``on_bad``."""
        due = grid.next_due()
        while not self.control.stopped:
            for line in self.control.take_bad_commands():
                on_bad(line)
            seconds = self.control.take_interval()
            if seconds is not None:
                grid.retime(seconds)
                due = grid.next_due()
            if self.target_gone():
                return GONE
            left = due - time.monotonic()
            if left <= 0:
                return TIME
            self.control.wait(left)
        return STOP
