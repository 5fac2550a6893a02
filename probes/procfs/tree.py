"""The target's descendants, for ``--children``: one row per process below it, each sample.

The kernel here has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN is optional), so
the tree comes from each process's parent in /proc/N/stat.  A process found outside the tree
stays outside (a parent never changes, except to a reaper when it dies), so after the first
sample only the tree's members and the pids new since the last sample are read: on an idle
host of 80 processes the probe's CPU goes from 0.05 % to 0.15 % of a core, not 0.3 %.  A
process that lives between two samples is not seen here; its exit record is
(perftui.probes.taskstats, ``exits``), and the eBPF probe counts its syscalls.
"""

from __future__ import annotations

import os
from typing import Any

from .ioacct import parse_io
from .meta import start_time
from .procread import CLK_TCK, PAGE_SIZE, Stat, parse_stat, read_proc


def _pids() -> set[int]:
    return {int(name) for name in os.listdir("/proc") if name.isdigit()}


def _stats(pids: set[int]) -> dict[int, Stat]:
    out: dict[int, Stat] = {}
    for pid in pids:
        try:
            out[pid] = parse_stat(read_proc(f"/proc/{pid}/stat"))
        except (OSError, ValueError):
            continue  # gone meanwhile, or unreadable
    return out


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = read_proc(f"/proc/{pid}/cmdline")
    except OSError:
        return None
    return [os.fsdecode(a) for a in raw.split(b"\0")[:-1]] or None


class ProcessTree:
    def __init__(self, root: int) -> None:
        self.root = root
        self.known: set[int] = set()  # every descendant seen so far (for the exit records)
        self._argv: dict[tuple[int, int], list[str] | None] = {}  # (pid, start) -> argv
        # The target's cutime/cstime: the CPU of the children it reaped (and of theirs), a
        # check on the sum of the descendants' own figures.
        self.reaped_cpu: tuple[float, float] | None = None
        self._outside: set[int] = set()  # pids seen outside the tree (not read again)

    def rows(self) -> list[list[Any]]:
        """[pid, ppid, start (epoch s), comm, argv, user_s, system_s, rss_bytes, threads,
        state, rchar, wchar] per live descendant; argv only the first time (else None), io
        None when unreadable."""
        pids = _pids()
        self._outside &= pids  # a pid gone and reused is read again
        stats = _stats(pids - self._outside)
        root = stats.get(self.root)
        if root is not None:
            self.reaped_cpu = (root.cutime / CLK_TCK, root.cstime / CLK_TCK)
        below: dict[int, Stat] = {}
        frontier = {self.root}
        while frontier:
            frontier = {pid for pid, st in stats.items()
                        if st.ppid in frontier and pid not in below}
            below.update((pid, stats[pid]) for pid in frontier)
        out: list[list[Any]] = []
        for pid, st in sorted(below.items()):
            key = (pid, st.starttime)
            argv = None
            if key not in self._argv:
                argv = self._argv[key] = _cmdline(pid)
            try:
                io = parse_io(read_proc(f"/proc/{pid}/io"))
                rw: tuple[int | None, int | None] = (io.get("rchar"), io.get("wchar"))
            except (OSError, ValueError):
                rw = (None, None)
            out.append([pid, st.ppid, round(start_time(st), 3), st.comm, argv,
                        st.utime / CLK_TCK,
                        st.stime / CLK_TCK, st.rss * PAGE_SIZE, st.num_threads, st.state,
                        *rw])
        self.known |= set(below)
        self._outside |= set(stats) - set(below) - {self.root}
        live = {(pid, st.starttime) for pid, st in below.items()}
        self._argv = {k: v for k, v in self._argv.items() if k in live}
        return out
