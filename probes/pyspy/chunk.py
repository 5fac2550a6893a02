"""One ``py-spy record`` run of a few seconds: start it, wait for it, stop it, read its output.

py-spy writes its output file only when it exits, by itself at the end of ``-d`` or on SIGINT
(SIGTERM or SIGKILL leave no file), so a continuous profile is a chain of short runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass

from perftui.probes.spawn import CHILD_CWD, child_env

from .rawformat import RawStack, parse

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1
# py-spy prints a Rust backtrace under every error when this is set; the first line is enough.
PYSPY_ENV = child_env({"RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"})


def _die_with_probe() -> None:
    # In the child between fork and exec: a probe killed with SIGKILL (or leaving through
    # os._exit when the app closed the pipe) takes its py-spy along instead of orphaning it.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


@dataclass
class Result:
    t0: float  # wall clock when the run started
    t1: float  # wall clock when it was seen to end
    code: int | None  # exit status; negative: killed by that signal
    stacks: list[RawStack]
    ticks: int  # sampling ticks py-spy made (see ``Chunk.result``)
    errors: int  # sampling errors py-spy counted
    late: int  # "behind in sampling" messages
    log: str  # what py-spy printed
    exited: bool  # py-spy stopped because the target exited
    stopped: bool  # the probe stopped it before its time
    wrote: bool  # the output file was there


class Chunk:
    def __init__(self, pyspy: str, pid: int, seconds: int, rate: int, flags: list[str],
                 workdir: str, number: int) -> None:
        self.seconds = seconds
        self.rate = rate
        self._out = os.path.join(workdir, f"chunk{number}.txt")
        self._log = os.path.join(workdir, f"chunk{number}.log")
        self.stopped = False
        with open(self._log, "wb") as log:
            self.t0 = time.time()
            self._start = time.monotonic()
            self.proc = subprocess.Popen(
                [pyspy, "record", "--pid", str(pid), "--duration", str(seconds),
                 "--rate", str(rate), "--output", self._out, *flags],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=PYSPY_ENV,
                cwd=CHILD_CWD, close_fds=True, preexec_fn=_die_with_probe)

    def wrote(self) -> bool:
        """Whether py-spy left its output file (it does on success and on SIGINT)."""
        return os.path.exists(self._out)

    def done(self) -> bool:
        return self.proc.poll() is not None

    def left(self) -> float:
        """Seconds until the run should have ended by itself (with slack for attaching)."""
        return self._start + self.seconds + 1.0 - time.monotonic()

    def overdue(self) -> bool:
        """Far past its duration: py-spy is stuck (a frozen target, a lost ptrace)."""
        return time.monotonic() > self._start + 3 * self.seconds + 5.0

    def stop(self, grace: float = 1.0) -> None:
        """SIGINT, which makes py-spy write what it has; SIGKILL if it does not end."""
        if self.proc.poll() is not None:
            return
        self.stopped = True
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def result(self, t1: float) -> Result:
        """Read and delete the run's files.  Call once it has ended (at wall time ``t1``)."""
        code = self.proc.wait()
        log = _read_and_remove(self._log)
        text = _read_and_remove(self._out)
        stacks = parse(text) if text is not None else []
        log = log or ""
        exited = "process exited" in log
        m = re.search(r"Samples: (\d+) Errors: (\d+)", log)
        errors = int(m.group(2)) if m else 0
        if code == 0 and not exited and not self.stopped:
            # py-spy stops at the tick that reaches rate * duration, which it does not record.
            ticks = self.rate * self.seconds - 1
        else:
            # Stopped early: at least as many ticks as the busiest thread has samples.
            per_tid: dict[int, int] = {}
            for s in stacks:
                per_tid[s.tid] = per_tid.get(s.tid, 0) + s.count
            ticks = max(per_tid.values(), default=0)
        return Result(self.t0, t1, code, stacks, ticks, errors, log.count("behind in sampling"),
                      log, exited, self.stopped, text is not None)


def _read_and_remove(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.unlink(path)
    return text
