"""A command perftui starts, held before its first instruction until the probes watch it.

``subprocess.Popen`` returns only after ``exec``, when the command already runs.  So perftui
starts a small wrapper (its own code, in an isolated interpreter) that says it is ready and
then blocks on a pipe.  Its PID is the command's PID: the probes attach to it, and when
they are ready perftui writes one byte and the wrapper ``exec``s the command in place.  If
perftui dies first, the pipe closes and the wrapper exits (status 125) without running it.

The wrapper's few system calls after the release (the end of its one-byte read, then
``execve``) are the only ones the probes see that are not the command's own.

A status pipe, closed on exec, tells perftui the exec happened (EOF) or failed (a message).
The child is never reaped before its last sample was taken: ``exited`` looks with
``WNOWAIT``, and only ``reap`` collects it (a zombie keeps its /proc stat and io).
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

WRAPPER_EXIT_ABANDONED = 125  # released never: perftui went away first
WRAPPER_EXIT_EXEC_FAILED = 127

# Python ignores SIGPIPE and SIGXFSZ at start-up and ignored signals survive exec: the
# command gets them back at their defaults, as a shell would start it.
_WRAPPER = """\
import os, signal, sys
go, st = int(sys.argv[1]), int(sys.argv[2])
for s in (signal.SIGPIPE, signal.SIGXFSZ):
    signal.signal(s, signal.SIG_DFL)
os.set_inheritable(go, False)
os.set_inheritable(st, False)
os.write(st, b"r")
if os.read(go, 1) != b"g":
    os._exit(125)
try:
    os.execv(sys.argv[3], sys.argv[4:])
except OSError as e:
    os.write(st, ("e" + str(e)).encode("utf-8", "replace"))
    os._exit(127)
"""


class LaunchError(Exception):
    """The command could not be started: not found, not executable, or the wrapper died."""


@dataclass(frozen=True)
class ExitStatus:
    code: int | None  # exit status, or None when killed
    signal: int | None  # the killing signal, or None
    ts: float  # when perftui saw it (epoch seconds)

    def describe(self) -> str:
        return (f"killed by signal {self.signal}" if self.signal
                else f"exit status {self.code}")


def resolve(command: str, cwd: str | None, env: Mapping[str, str] | None) -> str:
    """The file ``command`` runs, as exec would find it; raises LaunchError."""
    if "/" in command:
        path = command if cwd is None else os.path.join(cwd, command)
        if not os.path.exists(path):
            raise LaunchError(f"command not found: {command}")
    else:
        search = (env if env is not None else os.environ).get("PATH", os.defpath)
        found = shutil.which(command, path=search)
        if found is None:
            raise LaunchError(f"command not found: {command}")
        path = found
    if os.path.isdir(path) or not os.access(path, os.X_OK):
        raise LaunchError(f"permission denied: {command}")
    return path


class HeldChild:
    """The wrapper, then the command, under one PID."""

    def __init__(self, argv: list[str], *, output_fd: int, cwd: str | None = None,
                 env: Mapping[str, str] | None = None, executable: str | None = None,
                 ready_timeout: float = 10.0) -> None:
        """Start the wrapper and wait until it holds; raises LaunchError."""
        if not argv:
            raise LaunchError("no command given")
        self.argv = list(argv)
        self.path = executable or resolve(argv[0], cwd, env)
        self.exec_ts: float | None = None  # when the command replaced the wrapper
        self.released_ts: float | None = None
        self._lock = threading.Lock()
        self._status: ExitStatus | None = None
        self._reaped = False
        go_r, self._go = os.pipe()
        self._st, st_w = os.pipe()
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _WRAPPER, str(go_r), str(st_w),
                 self.path, *self.argv],
                stdin=subprocess.DEVNULL, stdout=output_fd, stderr=output_fd,
                pass_fds=(go_r, st_w), close_fds=True, start_new_session=True,
                cwd=cwd, env=env)
        except OSError as exc:
            for fd in (self._go, self._st):
                os.close(fd)
            raise LaunchError(f"cannot start {argv[0]}: {exc.strerror or exc}") from None
        finally:
            os.close(go_r)
            os.close(st_w)
        self.pid = self._proc.pid
        if self._read_status(ready_timeout) != b"r":
            self.end()
            raise LaunchError(f"cannot start {argv[0]}: the launch wrapper did not start")
        self.held_ts = time.time()

    def _read_status(self, timeout: float) -> bytes | None:
        """What the wrapper wrote next (b"" at EOF), or None on timeout."""
        ready, _, _ = select.select([self._st], [], [], timeout)
        if not ready:
            return None
        try:
            return os.read(self._st, 4096)
        except OSError:
            return b""

    @property
    def released(self) -> bool:
        return self.released_ts is not None

    def release(self, timeout: float = 5.0) -> str:
        """Let the command run; "" once it was exec'd, else why it was not."""
        if self.released_ts is not None:
            return ""
        self.released_ts = time.time()
        try:
            os.write(self._go, b"g")
        except OSError as exc:
            return f"the launch wrapper is gone ({exc.strerror})"
        finally:
            os.close(self._go)
            self._go = -1
        said = self._read_status(timeout)
        os.close(self._st)
        self._st = -1
        if said == b"":
            self.exec_ts = time.time()
            return ""
        if said is None:
            return f"{self.argv[0]} did not start within {timeout:g} s"
        return said[1:].decode("utf-8", "replace") or "the launch wrapper died"

    def abandon(self) -> None:
        """Never run the command: the wrapper sees the pipe close and exits."""
        for name in ("_go", "_st"):
            fd = getattr(self, name)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)

    def exited(self) -> ExitStatus | None:
        """How the target ended, once it did, without reaping it (it stays a zombie)."""
        with self._lock:
            if self._status is None and not self._reaped:
                try:
                    info = os.waitid(os.P_PID, self.pid,
                                     os.WEXITED | os.WNOHANG | os.WNOWAIT)
                except ChildProcessError:
                    info = None
                if info is not None and info.si_pid == self.pid:
                    self._status = _status(info.si_code, info.si_status)
            return self._status

    def reap(self) -> ExitStatus | None:
        """Collect the exited child (after its last sample); its status, None if running."""
        status = self.exited()
        with self._lock:
            if status is None or self._reaped:
                return status
            self._proc.wait()
            self._reaped = True
            return status

    def end(self, timeout: float = 2.0) -> None:
        """perftui is done: a command never released is not run; one running is ended
        (perftui started it, so it leaves no orphan behind); either way it is reaped."""
        self.abandon()
        if self.exited() is None and self.released:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    self._proc.send_signal(sig)
                except ProcessLookupError:
                    break
                try:
                    self._proc.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    continue
        try:
            self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        with self._lock:
            if self._status is None:
                code = self._proc.returncode
                self._status = (ExitStatus(None, -code, time.time()) if code < 0
                                else ExitStatus(code, None, time.time()))
            self._reaped = True


def _status(si_code: int, si_status: int) -> ExitStatus:
    if si_code == os.CLD_EXITED:
        return ExitStatus(si_status, None, time.time())
    return ExitStatus(None, si_status, time.time())  # CLD_KILLED or CLD_DUMPED
