"""The ``sys`` frame's fields for findings (docs/frames.md): ``paths`` (opens and stats per
thread and path), ``timeouts`` (the timeouts waits were given, per thread and syscall) and
``futex`` (waits and wakes per futex address and thread).

Each table's counters are cumulative in the kernel; like ``bythread``, only the rows that
changed since the previous frame go on the wire, with ``first`` set when a row's counters
started over (an LRU table dropped it, or it was deleted here).  Rows of threads that ended
are sent one last time, then deleted from the kernel's tables, so a server that starts a
thread per request does not fill them; so are path rows unchanged for IDLE_READS reads
(readers keep their totals: the path, looked up again, starts a new row marked ``first``).
"""

from __future__ import annotations

import os
import struct
from typing import Any

from .bpfmap import Map, sum_u64
from .strings import Interner
from .sysnames import syscall_name
from .threads import Changes, live_tids

PATHKEY = struct.Struct("=II256s")  # struct pathkey
PATHVAL = struct.Struct("=4Q")  # struct pathval
TMOKEY = struct.Struct("=II")  # struct tkey
TMOVAL = struct.Struct("=6Q")  # struct tmoval
FXKEY = struct.Struct("=QII")  # struct fxkey
FXVAL = struct.Struct("=6Q")  # struct fxval
OTHER_PATHS = "(other paths)"  # lookups past the pathops table's bound
IDLE_READS = 30  # a path row unchanged this many reads leaves the kernel's table


class FindTables:
    def __init__(self, pid: int, strings: Interner, names: dict[int, str], cpus: int) -> None:
        self._pid = pid
        self._s = strings
        self._names = names
        self._cpus = cpus
        self._paths = Changes()
        self._tmo = Changes()
        self._fx = Changes()
        self._path_seen: dict[bytes, tuple[tuple[int, ...], int]] = {}  # values, reads same

    def read(self, pathops: Map, pathother: Map, timeouts: Map,
             futexes: Map) -> dict[str, list[list[Any]]]:
        live = live_tids(self._pid)
        return {"paths": self._path_rows(pathops, pathother, live),
                "timeouts": self._tmo_rows(timeouts, live),
                "futex": self._fx_rows(futexes, live)}

    def _path_rows(self, pathops: Map, other: Map,
                   live: set[int] | None) -> list[list[Any]]:
        entries: list[tuple[tuple[int, int], tuple[int, ...]]] = []
        keys: dict[tuple[int, int], bytes] = {}
        for key, value in pathops.items():
            tid, _pad, raw = PATHKEY.unpack(key)
            path = os.fsdecode(raw.split(b"\0", 1)[0])
            k = (tid, self._s.id(path))
            entries.append((k, PATHVAL.unpack_from(value)))
            keys[k] = key
        totals = [0] * 4
        for i in range(4):
            got = other.get(struct.pack("=I", i))
            if got is not None:
                totals[i] = sum_u64(got, 1, other.stride, self._cpus)[0]
        if any(totals):
            entries.append(((0, self._s.id(OTHER_PATHS)), tuple(totals)))
        rows = [[sid, tid, *vals, first] for (tid, sid), vals, first in self._paths.diff(entries)]
        self._forget(pathops, [keys[k] for k, _ in entries if k in keys], live,
                     lambda raw: PATHKEY.unpack(raw)[0])
        self._forget_idle(pathops, {keys[k]: v for k, v in entries if k in keys})
        return rows

    def _forget_idle(self, pathops: Map, now: dict[bytes, tuple[int, ...]]) -> None:
        """Delete path rows that stopped counting (their totals were sent): the table is
        for the paths looked up now."""
        seen: dict[bytes, tuple[tuple[int, ...], int]] = {}
        idle: list[bytes] = []
        for raw, values in now.items():
            before = self._path_seen.get(raw)
            same = before[1] + 1 if before is not None and before[0] == values else 0
            if same >= IDLE_READS:
                idle.append(raw)
            else:
                seen[raw] = (values, same)
        pathops.delete_all(idle)
        self._path_seen = seen

    def _tmo_rows(self, timeouts: Map, live: set[int] | None) -> list[list[Any]]:
        entries = []
        raw_keys = []
        for key, value in timeouts.items():
            tid, nr = TMOKEY.unpack(key)
            name = syscall_name(self._names, nr)
            entries.append(((tid, self._s.id(name)), TMOVAL.unpack_from(value)))
            raw_keys.append(key)
        rows = [[tid, sid, *vals, first] for (tid, sid), vals, first in self._tmo.diff(entries)]
        self._forget(timeouts, raw_keys, live, lambda raw: TMOKEY.unpack(raw)[0])
        return rows

    def _fx_rows(self, futexes: Map, live: set[int] | None) -> list[list[Any]]:
        entries = []
        raw_keys = []
        for key, value in futexes.items():
            uaddr, tid, _pad = FXKEY.unpack(key)
            entries.append(((uaddr, tid), FXVAL.unpack_from(value)))
            raw_keys.append(key)
        rows = []
        for (uaddr, tid), (waits, ns, touts, timed, wakes, woken), first in \
                self._fx.diff(entries):
            rows.append([uaddr, tid, waits, ns / 1e9, touts, timed, wakes, woken, first])
        self._forget(futexes, raw_keys, live, lambda raw: FXKEY.unpack(raw)[1])
        return rows

    @staticmethod
    def _forget(table: Map, keys: list[bytes], live: set[int] | None,
                tid_of: Any) -> None:
        """Delete the entries of threads that ended (their counts were just sent)."""
        if live is None:
            return  # the target is ending: keep everything for its last frame
        table.delete_all([raw for raw in keys if tid_of(raw) not in live])
