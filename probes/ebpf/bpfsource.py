"""The ``sys`` frame from the BPF maps: read once per interval, all counters cumulative."""

from __future__ import annotations

import struct
from typing import Any

from probes.procfs.sockdiag import SockDiag

from .bpfmap import possible_cpus, sum_u64
from .conns import ConnTable
from .files import KEY as FDKEY
from .files import FileTable
from .program import NSLOT, Loaded
from .strings import Interner

Warn = tuple[str, str]  # (capability, message)
_U32 = struct.Struct("=I")
_ERRKEY = struct.Struct("=II")
DROP_NAMES = ("errors", "files", "net")  # DROP_* order in probe.bpf.c
DROP_CAPS = {"errors": "errors", "files": "files", "net": "net"}
DROP_MAPS = {"errors": "errs", "files": "files", "net": "conns"}


def syscall_name(names: dict[int, str], nr: int) -> str:
    return names.get(nr) or f"syscall_{nr}"


class BpfSource:
    def __init__(self, pid: int, loaded: Loaded, strings: Interner,
                 diag: SockDiag | None) -> None:
        self._l = loaded
        self._s = strings
        self._cpus = possible_cpus()
        self._files = FileTable(pid, self._generation) if loaded.full else None
        self._conns = ConnTable(pid, diag) if loaded.net else None
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
            self._latency(fields, calls, sid)
            fields["errors"] = self._errors()
            self._file_fields(fields)
            warns += self._drops(fields)
        if self._conns is not None:
            rows, done = self._conns.rows(self._l.conns.items())
            for key in done:
                self._l.conns.delete(key)
            fields["conns"] = rows
        return fields, warns

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
        live = {FDKEY.unpack(k): sum_u64(v, 4, self._l.files.stride, self._cpus)
                for k, v in self._l.files.items()}
        totals, retire = self._files.update(live)
        for fd, gen in retire:
            self._l.files.delete(FDKEY.pack(fd, gen))
        fields["files"] = [[self._s.id(path), *c] for path, c in totals.items()]
        _k, values, n = self._l.iosize.dump()
        flat = values[:n * self._cpus * 8].cast("Q")
        sizes = [sum(flat[i * self._cpus:(i + 1) * self._cpus]) for i in range(n)]
        fields["iosize"] = {"read": _trim(sizes[:NSLOT]), "write": _trim(sizes[NSLOT:])}

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
