"""Per-syscall counts of one process from perf_event tracepoint counters (no BPF).

A counter with ``inherit`` would follow threads created later, but also every child process
(and their execs), and it cannot start on threads that already exist.  So: one group of
``syscalls:sys_enter_*`` counters per thread, opened for each new thread at every refresh.
Syscalls of a thread before its first refresh are not counted (a thread that lives less than
one interval may be missed entirely).  A thread that ended keeps its final counts.

With ``inherit`` (the tree followed), the groups of the threads there at attach also count
every thread and process they create later, children and their execs included (the kernel
adds an ended child's counts into its parent's counter; a group read sums the live ones):
the totals are the tree's, and no group is opened for a later thread, which its creator's
group already counts.  The per-thread split then says nothing per thread or process.

Closing the counters is slow on recent kernels: the last close of each syscall tracepoint
waits for RCU (~50 ms each, serialised; ~18 s for all of them).  :meth:`close` therefore
disables them at once and leaves the closing to a forked child, so the probe exits quickly.
"""

from __future__ import annotations

import errno
import os
import resource
from dataclasses import dataclass

from . import perf

MAX_THREADS = 512


@dataclass
class _Group:
    tid: int
    fds: list[int]


def _tids(pid: int) -> set[int]:
    try:
        return {int(t) for t in os.listdir(f"/proc/{pid}/task")}
    except OSError:
        return set()


def raise_fd_limit() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit (hundreds of counters per thread)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class PerfCounters:
    def __init__(self, pid: int, events: list[tuple[str, int]], inherit: bool = False) -> None:
        """``events``: (syscall name, tracepoint id).  Raises OSError when not even the main
        thread can be counted (permissions, no perf events)."""
        self.pid = pid
        self.inherit = inherit
        self.names = [name for name, _ in events]
        self._ids = [eid for _, eid in events]
        self._groups: dict[int, _Group] = {}
        self._dead = [0] * len(events)  # final counts of ended threads
        self._ended: dict[int, list[int]] = {}  # ...per thread, until the next read
        self._full_warned = False
        self._spent: list[int] = []  # counters of ended threads, read for the last time
        raise_fd_limit()
        # (inherit) the threads there before the first group opens: one created after it is
        # its creator's to count, and must not get a group of its own
        present = _tids(pid) if inherit else set()
        self._open(pid)  # raises: the caller falls back or reports why
        for tid in sorted(present - {pid}):
            try:
                self._open(tid)
            except OSError as e:
                if e.errno not in (errno.ESRCH, errno.ENOENT):
                    raise

    def refresh(self) -> list[str]:
        """Count new threads, keep the totals of ended ones; warnings for the app."""
        warns: list[str] = []
        tids = _tids(self.pid)
        new = set() if self.inherit else tids - self._groups.keys()
        for tid in sorted(new):
            if len(self._groups) >= MAX_THREADS:
                if not self._full_warned:
                    warns.append(f"more than {MAX_THREADS} threads: later ones not counted")
                    self._full_warned = True
                break
            try:
                self._open(tid)
            except OSError as e:
                if e.errno in (errno.ESRCH, errno.ENOENT):
                    continue  # ended meanwhile
                warns.append(f"cannot count thread {tid}: {e.strerror}")
                break
        for tid in set(self._groups) - tids:
            g = self._groups.pop(tid)
            final = self._ended[tid] = self._read(g)
            for i, v in enumerate(final):
                self._dead[i] += v
            # Closed in ``close``: when this was the last group (the whole process ended),
            # closing here would be the slow last close, before the final frame is sent.
            self._spent.extend(g.fds)
        return warns

    def read(self) -> tuple[dict[str, int], dict[int, list[int]]]:
        """Totals by syscall name, and counts per thread (in ``names`` order): the live
        threads', and once more the final ones of threads that ended since the last read."""
        totals = list(self._dead)
        per_thread = {tid: self._read(g) for tid, g in self._groups.items()}
        for counts in per_thread.values():
            for i, v in enumerate(counts):
                totals[i] += v
        per_thread.update(self._ended)
        self._ended = {}
        return ({name: n for name, n in zip(self.names, totals, strict=True) if n},
                per_thread)

    def close(self) -> None:
        fds = [fd for g in self._groups.values() for fd in g.fds] + self._spent
        self._groups.clear()
        self._spent = []
        if not fds:
            return
        for fd in fds:
            try:
                perf.disable(fd)
            except OSError:
                pass
        try:
            child = os.fork()
        except OSError:
            child = -1
        if child == 0:  # the closer: lets go of everything else at once, then takes its time
            try:
                keep = set(fds)
                for name in os.listdir("/proc/self/fd"):
                    if int(name) not in keep:
                        try:
                            os.close(int(name))
                        except OSError:
                            pass
                for fd in fds:
                    os.close(fd)
            finally:
                os._exit(0)
        for fd in fds:  # the child still holds them: quick here (or slow, if fork failed)
            os.close(fd)

    def _open(self, tid: int) -> None:
        fds: list[int] = []
        try:
            for eid in self._ids:
                fds.append(perf.open_tracepoint(eid, tid, fds[0] if fds else -1,
                                                self.inherit))
        except OSError:
            for fd in fds:
                os.close(fd)
            raise
        self._groups[tid] = _Group(tid, fds)

    def _read(self, g: _Group) -> list[int]:
        try:
            return perf.read_group(g.fds[0], len(g.fds))
        except OSError:
            return [0] * len(g.fds)
