"""Waiting for the next sample: on a fixed monotonic grid, and cut short by SIGTERM/SIGINT."""

from __future__ import annotations

import math
import os
import select
import signal
import time
from types import FrameType


class Stopper:
    """Turns SIGTERM and SIGINT into a flag that also wakes a sleeping ``sleep``.

    The handler only sets a flag (raising from it could cut a frame in half on stdout); the
    wakeup descriptor makes a signal that lands just before ``select`` still end the wait.
    """

    def __init__(self) -> None:
        self.stopped = False
        self._r, w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(w)
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.stopped = True

    def sleep(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True if a stop was asked for."""
        if not self.stopped and seconds > 0:
            select.select([self._r], [], [], seconds)
            try:
                os.read(self._r, 512)
            except BlockingIOError:
                pass
        return self.stopped


class Grid:
    """Due times start + k * interval: no drift, and after an overrun the missed slots are
    skipped rather than sampled in a burst."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._start = time.monotonic()
        self._k = 0

    def delay(self) -> float:
        """Seconds until the next slot after the current one."""
        self._k += 1
        now = time.monotonic()
        due = self._start + self._k * self._interval
        if due < now:
            self._k = math.floor((now - self._start) / self._interval) + 1
            due = self._start + self._k * self._interval
        return due - now
