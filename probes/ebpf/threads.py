"""Per-thread syscall counters for the ``sys`` frame's ``bythread`` rows.

Both sources count per (thread, syscall): the BPF program in its ``bythread`` LRU table
(calls and time weighted like the latency, every error), the perf fallback in its per-thread
counter groups (calls only).  Counters go on the wire cumulative, but only the pairs that
changed since the previous frame: the model keeps the rest.  A pair reported for the first
time (or whose counters went backwards: the LRU table dropped it and it started over) is
marked ``first``: its counters were zero at the previous frame, so all of them are new.

Threads that start and end between two frames (a server that starts one per request: 1,700
a second under ab) are summed per syscall under tid 0, SHORT_LIVED (no thread of a process
has it): one row per syscall instead of one per thread and syscall, which every reader would
otherwise fold in and keep.

With the tree followed, a descendant's threads are in the table too, each row with its
process: rows of another process than the target carry its pid (a seventh field), so a
reader can pick one process.  A descendant's threads that ended between two frames are
summed per process under the negated pid (a child that lived 10 ms is one such row per
syscall), not under SHORT_LIVED, which stays the target's.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable

Key = tuple[int, int]  # (tid, syscall number or name id)
Values = tuple[int, ...]
# [tid, key, calls, ns, errors, first, pid]; ns/errors None when the source does not count
# them; pid None for the target's own threads
Change = tuple[int, int, int, int | None, int | None, bool, int | None]

SHORT_LIVED = 0  # the tid under which threads that lived within one interval are summed
TKEY = struct.Struct("=II")  # struct tkey in probe.bpf.c
TVAL = struct.Struct("=3QI4x")  # struct tval: calls, ns, errors, tgid


class Changes:
    """Remembers what was last sent per pair; keeps only pairs still being counted."""

    def __init__(self) -> None:
        self._sent: dict[Key, Values] = {}

    def diff(self, current: Iterable[tuple[Key, Values]]) -> list[tuple[Key, Values, bool]]:
        """(key, values, first) for each pair that changed; pairs absent from ``current``
        are forgotten (their thread ended, or the table dropped them)."""
        out: list[tuple[Key, Values, bool]] = []
        sent: dict[Key, Values] = {}
        for key, values in current:
            if not any(values):
                continue  # nothing counted yet: it is new when it first counts
            sent[key] = values
            before = self._sent.get(key)
            if before == values:
                continue
            first = before is None or any(v < b for v, b in zip(values, before, strict=True))
            out.append((key, values, first))
        self._sent = sent
        return out


def live_tids(pid: int) -> set[int] | None:
    """The process's threads now; None when unreadable (it is ending, or gone)."""
    try:
        return {int(t) for t in os.listdir(f"/proc/{pid}/task")}
    except OSError:
        return None


class BpfThreads:
    """Rows from the BPF ``bythread`` table; the entries of ended threads are removed once
    their last counts are read (threads are listed before the table is, so none is lost)."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._changes = Changes()
        # Threads by process, listed before each dump: the target's from the start, a
        # descendant's once its rows appear.  (As the probe attached, for the first dump.)
        self._live: dict[int, set[int] | None] = {pid: live_tids(pid)}
        self._seen: dict[int, set[int]] = {}  # the threads listed at the previous dump
        self._gone: set[int] = set()  # descendants found ended: not listed again
        self._tgid: dict[int, int] = {}  # tid -> a descendant's pid, for the rows it sends
        # (pid, syscall) -> summed counters of short threads: the target's under SHORT_LIVED,
        # a descendant's under its pid
        self._short: dict[tuple[int, int], list[int]] = {}

    def read(self, keys: memoryview, values: memoryview,
             count: int) -> tuple[list[Change], list[bytes]]:
        """Changed rows and the keys to delete, from a dump taken after ``before_dump``."""
        entries: list[tuple[Key, Values]] = []
        dead: list[bytes] = []
        for (tid, nr), (calls, ns, errors, tgid) in zip(
                TKEY.iter_unpack(keys[:count * TKEY.size]),
                TVAL.iter_unpack(values[:count * TVAL.size]), strict=True):
            vals = (calls, ns, errors)
            tgid = tgid or self._pid  # (a row written by an older program has none)
            if tgid not in self._live:  # a descendant seen for the first time: list it now
                self._live[tgid] = None if tgid in self._gone else live_tids(tgid)
            live = self._live[tgid]
            if tgid != self._pid:
                self._tgid[tid] = tgid
            if (live is not None or tgid != self._pid) and (live is None or tid not in live):
                dead.append(TKEY.pack(tid, nr))
                if tid not in self._seen.get(tgid, ()):  # born and gone within this interval
                    short = self._short.setdefault((tgid, nr), [0, 0, 0])
                    for i, v in enumerate(vals):
                        short[i] += v
                    continue
            entries.append(((tid, nr), vals))
        for (tgid, nr), v in self._short.items():
            tid = SHORT_LIVED if tgid == self._pid else -tgid
            if tid < 0:
                self._tgid[tid] = tgid
            entries.append(((tid, nr), tuple(v)))
        rows: list[Change] = [(tid, nr, v[0], v[1], v[2], first, self._tgid.get(tid))
                              for (tid, nr), v, first in self._changes.diff(entries)]
        # An ended descendant's last counts are in these rows: nothing of it is kept (a
        # build's thousands of short processes must not make every frame longer).
        for key in [k for k in self._short if k[0] in self._gone]:
            self._tgid.pop(-key[0], None)
            del self._short[key]
        for tid, _nr in TKEY.iter_unpack(b"".join(dead)):
            self._tgid.pop(tid, None)
        return rows, dead

    def before_dump(self) -> None:
        """List the threads of every process with rows, before the table is read."""
        self._seen = {p: t for p, t in self._live.items() if t is not None}
        live: dict[int, set[int] | None] = {}
        for pid in self._live:
            if pid in self._gone:
                continue
            tids = live_tids(pid)
            if tids is None and pid != self._pid:
                self._gone.add(pid)  # (its last rows are read in this dump, then deleted)
            live[pid] = tids
        self._live = live
