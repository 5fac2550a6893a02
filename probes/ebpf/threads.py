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
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable

Key = tuple[int, int]  # (tid, syscall number or name id)
Values = tuple[int, ...]
# [tid, key, calls, ns, errors, first]; ns/errors None when the source does not count them
Change = tuple[int, int, int, int | None, int | None, bool]

SHORT_LIVED = 0  # the tid under which threads that lived within one interval are summed
TKEY = struct.Struct("=II")  # struct tkey in probe.bpf.c
TVAL = struct.Struct("=3Q")  # struct tval


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
    """The target's threads now; None when unreadable (the target is ending)."""
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
        self._live: set[int] | None = live_tids(pid)  # (as the probe attached)
        self._seen: set[int] = set()  # the threads listed at the previous frame
        self._short: dict[int, list[int]] = {}  # syscall -> summed counters of short threads

    def read(self, keys: memoryview, values: memoryview,
             count: int) -> tuple[list[Change], list[bytes]]:
        """Changed rows and the keys to delete, from a dump taken after ``before_dump``."""
        live = self._live
        entries: list[tuple[Key, Values]] = []
        dead: list[bytes] = []
        for (tid, nr), vals in zip(TKEY.iter_unpack(keys[:count * TKEY.size]),
                                   TVAL.iter_unpack(values[:count * TVAL.size]), strict=True):
            if live is not None and tid not in live:
                dead.append(TKEY.pack(tid, nr))
                if tid not in self._seen:  # born and gone within this interval
                    short = self._short.setdefault(nr, [0, 0, 0])
                    for i, v in enumerate(vals):
                        short[i] += v
                    continue
            entries.append(((tid, nr), vals))
        entries += [((SHORT_LIVED, nr), tuple(v)) for nr, v in self._short.items()]
        rows: list[Change] = [(tid, nr, v[0], v[1], v[2], first)
                              for (tid, nr), v, first in self._changes.diff(entries)]
        return rows, dead

    def before_dump(self) -> None:
        self._seen = self._live or set()
        self._live = live_tids(self._pid)
