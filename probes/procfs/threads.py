"""Per-thread rows from /proc/PID/task/TID/stat and .../status.

psutil cannot give these: its context-switch counts are the main thread's only.  With 100
threads this is 200 files a sample, so both files of each thread stay open and are re-read
with one ``pread`` each (a reused thread id is a new /proc entry: the old descriptor then
fails with ESRCH and is reopened).
"""

from __future__ import annotations

import errno
import os
import resource
from typing import Any

from .procread import CLK_TCK, field_int, parse_stat, pread_all

ThreadRow = list[Any]  # [tid, name, state, user_s, system_s, vol_cs, nonvol_cs, last_cpu]

_VOLUNTARY = b"\nvoluntary_ctxt_switches:"
_NONVOLUNTARY = b"\nnonvoluntary_ctxt_switches:"
_GONE = (errno.ESRCH, errno.ENOENT)


def _fd_budget() -> int:
    """How many threads may keep their two files open: raise the soft descriptor limit to the
    hard one, and leave room for everything else the probe opens."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > 65536:
        hard = 65536
    if soft != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        soft = 65536
    return max(0, (soft - 256) // 2)


class ThreadTable:
    def __init__(self, pid: int) -> None:
        self._task = f"/proc/{pid}/task"
        self._open: dict[int, tuple[int, int]] = {}
        self._budget = _fd_budget()

    def rows(self) -> list[ThreadRow]:
        """One row per live thread; raises FileNotFoundError when the process is gone."""
        tids = [int(name) for name in os.listdir(self._task)]
        rows: list[ThreadRow] = []
        for tid in tids:
            row = self._row(tid)
            if row is not None:
                rows.append(row)
        live = set(tids)
        for tid in [t for t in self._open if t not in live]:
            self._close(tid)
        return rows

    def close(self) -> None:
        for tid in list(self._open):
            self._close(tid)

    def _row(self, tid: int) -> ThreadRow | None:
        try:
            stat, status = self._read(tid)
        except OSError as e:
            if e.errno not in _GONE:
                raise
            self._close(tid)
            try:  # a stale descriptor of a reused tid, or the thread just ended
                stat, status = self._read(tid)
            except OSError as e2:
                if e2.errno not in _GONE:
                    raise
                return None
        st = parse_stat(stat)
        return [tid, st.comm, st.state, st.utime / CLK_TCK, st.stime / CLK_TCK,
                field_int(status, _VOLUNTARY), field_int(status, _NONVOLUNTARY),
                st.processor]

    def _read(self, tid: int) -> tuple[bytes, bytes]:
        fds = self._open.get(tid)
        if fds is not None:
            return pread_all(fds[0]), pread_all(fds[1])
        base = f"{self._task}/{tid}/"
        stat = os.open(base + "stat", os.O_RDONLY | os.O_CLOEXEC)
        status = -1
        try:
            status = os.open(base + "status", os.O_RDONLY | os.O_CLOEXEC)
            data = pread_all(stat), pread_all(status)
        except OSError:
            os.close(stat)
            if status >= 0:
                os.close(status)
            raise
        if len(self._open) < self._budget:
            self._open[tid] = (stat, status)
        else:  # over the descriptor budget: this thread's files are read once and closed
            os.close(stat)
            os.close(status)
        return data

    def _close(self, tid: int) -> None:
        fds = self._open.pop(tid, None)
        if fds is not None:
            os.close(fds[0])
            os.close(fds[1])
