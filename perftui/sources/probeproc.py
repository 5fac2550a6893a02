"""One probe child process: start it, feed its frames on, restart it with backoff when it dies."""

from __future__ import annotations

import subprocess
import time
from collections import deque
from dataclasses import dataclass, field

import psutil

from perftui.probes.spawn import CHILD_CWD, child_env, python_argv, remove_temp_of
from perftui.probes.wire import FrameDecoder

BACKOFF_START_S = 0.5
BACKOFF_MAX_S = 30.0
EXIT_NO_TARGET = 2  # a probe's exit code for "the target does not exist"


@dataclass
class ProbeSpec:
    """How to run a probe: its stream name and the module that implements it.

    For a command perftui starts held (perftui.sources.launch), ``ready_on`` names the
    frame kinds that say the probe watches it (the command is released once every probe
    said so, or died); an ``after_exec`` probe starts only once the command runs (py-spy
    needs a running interpreter, not perftui's launch wrapper)."""

    name: str
    module: str
    args: list[str] = field(default_factory=list)
    ready_on: tuple[str, ...] = ("sample",)
    after_exec: bool = False

    def argv(self, pid: int, interval: float) -> list[str]:
        return python_argv(self.module, "--pid", str(pid), "--interval", f"{interval:g}",
                           *self.args)


class ProbeProcess:
    """A running probe.  Not thread-safe: the live source's reader thread owns it."""

    def __init__(self, spec: ProbeSpec, pid: int, interval: float) -> None:
        self.spec = spec
        self.pid = pid
        self.interval = interval
        self.proc: subprocess.Popen[bytes] | None = None
        self.decoder = FrameDecoder()
        self.stderr_tail: deque[str] = deque(maxlen=5)
        self.saw_gone = False
        self.ready = False  # sent a frame of ``spec.ready_on``
        self.restarts = 0
        self.next_start = 0.0  # monotonic time before which it must not be restarted
        self._backoff = BACKOFF_START_S
        self._started_at = 0.0
        self._ps: psutil.Process | None = None
        # CPU used by earlier incarnations, so perftui's own CPU counter never goes back.
        self.cpu_of_dead = (0.0, 0.0)
        # Commands that set a state (``option idle on``), the newest per setting, in order.
        self.sticky: dict[str, str] = {}

    def start(self) -> None:
        self.decoder = FrameDecoder()
        self.stderr_tail.clear()
        self.proc = subprocess.Popen(
            self.spec.argv(self.pid, self.interval), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True,
            cwd=CHILD_CWD, env=child_env())
        self._started_at = time.monotonic()
        try:
            self._ps = psutil.Process(self.proc.pid)
        except psutil.Error:
            self._ps = None

    def close_input(self) -> None:
        """End of stdin: the probe sends its last frames and exits (drained by the caller)."""
        if self.proc is not None and self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def send(self, line: str) -> None:
        """A command line on the probe's stdin (e.g. ``interval 0.5``)."""
        if self.proc is not None and self.proc.stdin is not None and self.proc.poll() is None:
            try:
                self.proc.stdin.write(line.encode() + b"\n")
                self.proc.stdin.flush()
            except OSError:
                pass

    def remember(self, line: str) -> None:
        """Keep a state-setting command (all words but the last name the setting) for
        ``resend``: a restarted probe starts from its command line, not from what the app
        changed since."""
        key = line.rsplit(maxsplit=1)[0] if " " in line.strip() else line
        self.sticky.pop(key, None)
        self.sticky[key] = line

    def resend(self) -> None:
        for line in self.sticky.values():
            self.send(line)

    def cpu_times(self) -> tuple[float, float]:
        user, system = self.cpu_of_dead
        if self._ps is not None:
            try:
                t = self._ps.cpu_times()
                return user + t.user + t.children_user, system + t.system + t.children_system
            except psutil.Error:
                pass
        return user, system

    def reap(self) -> int | None:
        """Wait for the exited child; return its exit code (negative: killed by a signal)."""
        if self.proc is None:
            return None
        self.cpu_of_dead = self.cpu_times()
        self._ps = None
        code = self.proc.wait()
        remove_temp_of(self.proc.pid)  # what a probe killed before its cleanup left behind
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        # A probe that ran a good while before dying starts again from the short backoff.
        if time.monotonic() - self._started_at > 60:
            self._backoff = BACKOFF_START_S
        self.next_start = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, BACKOFF_MAX_S)
        return code

    def stop(self, timeout: float = 2.0) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        try:
            if proc.stdin is not None and not proc.stdin.closed:
                proc.stdin.close()  # the probe's stdin watcher ends it cleanly
            proc.wait(timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        finally:
            if proc.poll() is not None:
                remove_temp_of(proc.pid)

    def why_it_died(self, code: int | None) -> str:
        tail = " | ".join(line for line in self.stderr_tail if line)
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
        return f"{self.spec.name} probe {how}" + (f": {tail}" if tail else "")
