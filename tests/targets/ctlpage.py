"""A command page shared through mmap by a test and its target.

The target polls the page between short sleeps, so a test can drive it without the target
making a single read or write system call: those would show up in the very /proc/PID/io
counters the test checks.  Layout, little-endian u64 words: 0 command number (written by the
test), 1 op, 2 argument a, 3 argument b; 4 number of the last command done (written by the
target), 5 its result.  Op 0 always means "exit with status a".
"""

from __future__ import annotations

import ctypes
import mmap
import os
import signal
import struct
import sys
import time
from collections.abc import Callable

SIZE = 4096
_WORD = struct.Struct("<Q")
EXIT = 0

Handler = Callable[[int, int], int]


class Page:
    def __init__(self, path: str, create: bool = False) -> None:
        if create:
            with open(path, "wb") as f:
                f.write(b"\0" * SIZE)
        fd = os.open(path, os.O_RDWR)
        try:
            self._m = mmap.mmap(fd, SIZE)
        finally:
            os.close(fd)
        self.path = path

    def _get(self, i: int) -> int:
        value: int = _WORD.unpack_from(self._m, i * 8)[0]
        return value

    def _set(self, i: int, value: int) -> None:
        _WORD.pack_into(self._m, i * 8, value)

    # test side
    def send(self, op: int, a: int = 0, b: int = 0, timeout: float = 20.0) -> int:
        """Run one command in the target and return its result."""
        seq = self._get(0) + 1
        self._set(1, op)
        self._set(2, a)
        self._set(3, b)
        self._set(0, seq)  # last: the target acts when the number changes
        deadline = time.monotonic() + timeout
        while self._get(4) != seq:
            if time.monotonic() > deadline:
                raise TimeoutError(f"target did not run command {op}({a}, {b})")
            time.sleep(0.001)
        return self._get(5)

    def post_exit(self, code: int) -> None:
        """Ask the target to exit, without waiting for it."""
        self._set(1, EXIT)
        self._set(2, code)
        self._set(0, self._get(0) + 1)

    # target side
    def serve(self, handlers: dict[int, Handler]) -> None:
        """Run commands until told to exit; never returns."""
        done = self._get(4)  # not word 0: a command may already be waiting
        while True:
            seq = self._get(0)
            if seq == done:
                time.sleep(0.002)  # nanosleep: not a read or write
                continue
            op, a, b = self._get(1), self._get(2), self._get(3)
            if op == EXIT:
                os._exit(a)
            result = handlers[op](a, b)
            self._set(5, result)
            self._set(4, seq)
            done = seq


def guard(lifetime: float = 300.0) -> None:
    """Make a target end by itself if its test dies: killed with its parent, and in any case
    after ``lifetime`` seconds."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    signal.alarm(int(lifetime))  # default action of SIGALRM: terminate
    if os.getppid() == 1:
        sys.exit("parent gone")


def name_thread(name: str) -> None:
    """Set the calling thread's comm (what /proc shows), at most 15 bytes."""
    ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
