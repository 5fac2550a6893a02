"""Every probe's sampling clock and controls: a fixed monotonic grid, SIGTERM/SIGINT, and the
app's commands on stdin (one per line; ``interval S`` changes the sampling interval, end of
file means the app is gone)."""

from __future__ import annotations

import math
import os
import select
import signal
import stat
import threading
import time
from types import FrameType

from perftui.probes.wire import parse_interval_command


class Grid:
    """Due times start + k * interval: no drift, and after an overrun the missed slots are
    skipped rather than sampled in a burst."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._start = time.monotonic()
        self._k = 0

    def next_due(self) -> float:
        """Monotonic time of the next slot after the current one."""
        self._k += 1
        now = time.monotonic()
        due = self._start + self._k * self.interval
        if due < now:
            self._k = math.floor((now - self._start) / self.interval) + 1
            due = self._start + self._k * self.interval
        return due

    def retime(self, interval: float) -> None:
        """A new interval, counted from now."""
        self.interval = interval
        self._start = time.monotonic()
        self._k = 0


class Control:
    """What can end or change the loop: signals and commands, all waking ``wait``.

    Signal handlers only set a flag (raising from one could cut a frame in half on stdout);
    the wakeup descriptor makes a signal that lands just before ``select`` still end the wait.
    """

    def __init__(self) -> None:
        self.stopped = False
        self._r, self._w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._lock = threading.Lock()
        self._interval: float | None = None
        self._bad: list[str] = []
        self._pidfd = -1
        self.target_exited = False  # set by ``wait`` once the watched process ended
        signal.set_wakeup_fd(self._w)
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def watch_target(self, pid: int) -> bool:
        """Let the target's end wake ``wait`` (a pidfd turns readable when it exits, before
        its parent reaps it): the last sample comes at once, not at the next tick.  False
        when there is no such process."""
        try:
            self._pidfd = os.pidfd_open(pid)
        except OSError:
            return False
        return True

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.stopped = True

    def listen_stdin(self) -> None:
        """Read the app's commands from stdin when it is a pipe.

        Call before die_with_parent(): its own stdin watcher would swallow the commands, so
        the pipe moves to another descriptor and fd 0 becomes /dev/null (the watcher only
        starts on a pipe).  End of file here stops the probe, as the watcher would have.
        """
        if not stat.S_ISFIFO(os.fstat(0).st_mode):
            return
        pipe = os.dup(0)
        os.set_inheritable(pipe, False)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        threading.Thread(target=self._read_commands, args=(pipe,), name="commands",
                         daemon=True).start()

    def _read_commands(self, pipe: int) -> None:
        pending = b""
        while True:
            try:
                data = os.read(pipe, 4096)
            except OSError:
                data = b""
            if not data:
                self.stopped = True
                self._wake()
                return
            *lines, pending = (pending + data).split(b"\n")
            for line in lines:
                self._command(line.decode("utf-8", "replace").strip())
            self._wake()

    def _command(self, line: str) -> None:
        seconds = parse_interval_command(line)
        with self._lock:
            if seconds is not None:
                self._interval = seconds
            elif line:
                self._bad.append(line)

    def _wake(self) -> None:
        try:
            os.write(self._w, b"!")
        except BlockingIOError:
            pass  # the pipe is full: a wakeup is pending anyway

    def take_interval(self) -> float | None:
        """A new interval asked for since the last call, if any."""
        with self._lock:
            seconds, self._interval = self._interval, None
        return seconds

    def take_bad_commands(self) -> list[str]:
        with self._lock:
            bad, self._bad = self._bad, []
        return bad

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, less if a signal or a command arrives."""
        if not self.stopped and seconds > 0:
            # poll, not select: the probe raises its descriptor limit past select's 1024
            poller = select.poll()
            poller.register(self._r, select.POLLIN)
            if self._pidfd >= 0 and not self.target_exited:
                poller.register(self._pidfd, select.POLLIN)
            for fd, _ in poller.poll(seconds * 1000):
                if fd == self._pidfd:
                    self.target_exited = True  # readable for good: not polled again
        try:
            os.read(self._r, 4096)
        except BlockingIOError:
            pass
