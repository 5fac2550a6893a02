"""The ``sys`` frame from the BPF maps: read once per interval, all counters cumulative."""

from __future__ import annotations

import os
import struct
import time
from typing import Any

from perftui.probes.sockdiag import SockDiag

from .bpfmap import Map, possible_cpus, sum_u64
from .conns import ConnTable
from .files import FDFAST, FileTable, Made
from .files import KEY as FDKEY
from .findtables import FindTables
from .program import NSLOT, Loaded
from .strings import Interner
from .sysnames import syscall_name
from .threads import BpfThreads, Change

Warn = tuple[str, str]  # (capability, message)
_U32 = struct.Struct("=I")
_ERRKEY = struct.Struct("=II")
DROP_NAMES = ("errors", "files", "net", "file names", "paths")  # DROP_* in probe.bpf.c
DROP_CAPS = {"errors": "errors", "files": "files", "net": "net", "file names": "files",
             "paths": "files"}
DROP_MAPS = {"errors": "errs", "files": "files", "net": "conns", "file names": "names",
             "paths": "pathops"}
_NAME_HEAD = struct.Struct("=iIII")  # struct fdname {s32 dirfd; u32 nr, dirgen, cwdgen; ...}
# Latency is timed exactly up to this many syscalls per second; above it, one call in
# 2**shift of each syscall (and every call that blocks) is timed, keeping the clock reads
# (~60 ns each on a VM) to about this rate.
TIMED_PER_S = 50_000
MAX_SHIFT = 12


class BpfSource:
    def __init__(self, pid: int, loaded: Loaded, strings: Interner,
                 diag: SockDiag | None, exact_latency: bool = False) -> None:
        self._l = loaded
        self._exact = exact_latency
        self._shift = 0
        # (monotonic time, total calls): the maps start at zero when attached, just now
        self._last = (time.monotonic(), 0)
        self._s = strings
        self._cpus = possible_cpus()
        self._files = FileTable(pid) if loaded.full else None
        self._conns = ConnTable(pid, diag) if loaded.net else None
        self._threads = BpfThreads(pid) if loaded.full else None
        self._find = FindTables(pid, strings, loaded.plan.names, self._cpus) \
            if loaded.full else None
        self._dropped = [0] * len(DROP_NAMES)

    def close(self) -> None:
        self._l.close()

    def read(self) -> tuple[dict[str, Any], list[Warn]]:
        names = self._l.plan.names
        _k, values, n = self._l.counts.dump()
        flat = values[:n * self._cpus * 8].cast("Q")
        calls: dict[int, int] = {}
        for nr in range(n):
            total = sum(flat[nr * self._cpus:(nr + 1) * self._cpus])
            if total:
                calls[nr] = total
        sid = {nr: self._s.id(syscall_name(names, nr)) for nr in calls}
        fields: dict[str, Any] = {"calls": {sid[nr]: c for nr, c in calls.items()}}
        warns: list[Warn] = []
        if self._l.full:
            self._adapt(sum(calls.values()))
            fields["lat_every"] = 1 << self._shift
            self._latency(fields, calls, sid)
            fields["errors"] = self._errors()
            fields["bythread"] = self._bythread()
            if self._find is not None:
                fields.update(self._find.read(self._l.pathops, self._l.pathother,
                                              self._l.timeouts, self._l.futexes))
            self._file_fields(fields)
            cwd = self._files.cwd if self._files is not None else None
            if cwd:  # what the relative paths of ``paths`` are relative to (mostly)
                fields["cwd"] = cwd
            warns += self._drops(fields)
        if self._l.procs is not None:
            fields["procs"] = self._procs(self._l.procs)
        if self._conns is not None:
            rows, done = self._conns.rows(self._l.conns.items())
            self._l.conns.delete_all(list(done))
            fields["conns"] = rows
        return fields, warns

    def _procs(self, procs: Map) -> dict[int, list[int]]:
        """Per process of the tree: [calls, read bytes, written bytes, reads, writes]."""
        out: dict[int, list[int]] = {}
        for key, value in procs.items():
            out[_U32.unpack(key)[0]] = sum_u64(value, 5, procs.stride, self._cpus)
        return out

    def _adapt(self, total: int) -> None:
        """Choose the latency sampling shift for the next interval from the last one's rate."""
        now = time.monotonic()
        last, self._last = self._last, (now, total)
        if self._exact or now <= last[0]:
            return
        rate = (total - last[1]) / (now - last[0])
        shift = 0
        while shift < MAX_SHIFT and rate / (1 << shift) > TIMED_PER_S:
            shift += 1
        if shift != self._shift:
            self._l.config.set(_U32.pack(0), _U32.pack(shift))
            self._shift = shift

    def _latency(self, fields: dict[str, Any], calls: dict[int, int],
                 sid: dict[int, int]) -> None:
        cpus = self._cpus
        _k, values, n = self._l.lat.dump()
        flat = values[:n * cpus * 8].cast("Q")
        _k2, tvalues, n2 = self._l.nsum.dump()
        tflat = tvalues[:n2 * cpus * 8].cast("Q")
        lat: dict[int, list[int]] = {}
        spent: dict[int, float] = {}
        for nr in calls:
            row = [sum(flat[(nr * NSLOT + b) * cpus:(nr * NSLOT + b + 1) * cpus])
                   for b in range(NSLOT)]
            while row and not row[-1]:
                row.pop()
            if row:
                lat[sid[nr]] = row
                spent[sid[nr]] = sum(tflat[nr * cpus:(nr + 1) * cpus]) / 1e9
        fields["lat"] = lat
        fields["time"] = spent

    def _bythread(self) -> list[list[Any]]:
        assert self._threads is not None
        self._threads.before_dump()
        keys, values, n = self._l.bythread.dump()
        changes, dead = self._threads.read(keys, values, n)
        self._l.bythread.delete_all(list(dead))
        return [self._thread_row(c) for c in changes]

    def _thread_row(self, c: Change) -> list[Any]:
        tid, nr, calls, ns, errors, first, pid = c
        row = [tid, self._s.id(syscall_name(self._l.plan.names, nr)), calls,
               None if ns is None else ns / 1e9, errors, first]
        return row if pid is None else [*row, pid]

    def _errors(self) -> dict[int, dict[int, int]]:
        names = self._l.plan.names
        out: dict[int, dict[int, int]] = {}
        for key, value in self._l.errs.items():
            nr, err = _ERRKEY.unpack(key)
            count = sum_u64(value, 1, self._l.errs.stride, self._cpus)[0]
            if count:
                out.setdefault(self._s.id(syscall_name(names, nr)), {})[err] = count
        return out

    def _file_fields(self, fields: dict[str, Any]) -> None:
        assert self._files is not None
        files, fdio = self._l.files, self._l.fdio
        entries: list[tuple[bytes, bytes]] = []
        flat: memoryview = memoryview(b"").cast("Q")
        gens: dict[int, int] = {}
        for _attempt in range(10):
            # A close moving counts from fdio to files (and moving the fd's generation on)
            # between these reads would count them twice, or under the fd's next file:
            # read again until no move overlapped.
            before = self._moves()
            if before & 1:
                time.sleep(0.0001)
                continue
            entries = files.items()
            _k, values, n = fdio.dump()
            flat = values[:n * 32].cast("Q")
            gens = {fd: self._generation(fd) for fd in range(n)
                    if flat[fd * 4 + 2] or flat[fd * 4 + 3]}
            if self._moves() == before:
                break
        live: dict[tuple[int, int], list[int]] = {}
        closed: dict[tuple[int, int], list[int]] = {}
        for fd, gen in gens.items():
            live[(fd, gen)] = list(flat[fd * 4:fd * 4 + 4])
        gone: list[bytes] = []
        for key, value in entries:
            fd, gen = FDKEY.unpack(key)
            counts = sum_u64(value, 4, files.stride, self._cpus)
            if fd < FDFAST or gen != self._generation(fd):
                closed[(fd, gen)] = counts
                gone.append(key)
            else:
                live[(fd, gen)] = counts
        files.delete_all(gone)
        totals = self._files.update(live, closed, self._made())
        late = self._files.late
        fields["files"] = [[self._s.id(path), *c, int(path in late)] for path, c in totals.items()]
        _k, values, n = self._l.iosize.dump()
        flat = values[:n * self._cpus * 8].cast("Q")
        sizes = [sum(flat[i * self._cpus:(i + 1) * self._cpus]) for i in range(n)]
        fields["iosize"] = {"read": _trim(sizes[:NSLOT]), "write": _trim(sizes[NSLOT:])}

    def _made(self) -> dict[tuple[int, int], Made]:
        """What the fds made since the last read are (the BPF ``names`` table), taken out
        of it.  Read before the counts: a name never comes after its file's counts."""
        made: dict[tuple[int, int], Made] = {}
        names = self._l.plan.names
        taken: list[bytes] = []
        for key, value in self._l.names.items():
            fd, gen = FDKEY.unpack(key)
            dirfd, nr, dirgen, cwdgen = _NAME_HEAD.unpack_from(value)
            raw = bytes(value[_NAME_HEAD.size:]).split(b"\0", 1)[0]
            made[(fd, gen)] = Made(dirfd, syscall_name(names, nr), os.fsdecode(raw), dirgen,
                                   cwdgen)
            taken.append(key)
        self._l.names.delete_all(taken)
        return made

    def _moves(self) -> int:
        raw = self._l.moves.get(_U32.pack(0))
        return struct.unpack_from("=Q", raw)[0] if raw else 0

    def _generation(self, fd: int) -> int:
        raw = self._l.fdgen.get(_U32.pack(fd))
        return _U32.unpack_from(raw)[0] if raw else 0

    def _drops(self, fields: dict[str, Any]) -> list[Warn]:
        warns: list[Warn] = []
        drops: dict[str, int] = {}
        for i, name in enumerate(DROP_NAMES):
            raw = self._l.drops.get(_U32.pack(i))
            count = struct.unpack_from("=Q", raw)[0] if raw else 0
            if count:
                drops[name] = count
                if not self._dropped[i]:
                    size = getattr(self._l, DROP_MAPS[name]).info.max_entries
                    warns.append((DROP_CAPS[name], f"the BPF {DROP_MAPS[name]} table "
                                  f"({size} entries) is full: some {name} are not counted"))
            self._dropped[i] = count
        fields["drops"] = drops
        return warns


def _trim(row: list[int]) -> list[int]:
    while row and not row[-1]:
        row.pop()
    return row
