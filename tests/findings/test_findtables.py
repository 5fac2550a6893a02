"""The eBPF probe's rows for findings (probes/ebpf/findtables.py) from fake BPF maps: only
changed rows go out, rows of ended threads and idle paths leave the kernel's tables, and a
path looked up again after that starts a row marked ``first`` (readers keep the totals)."""

from __future__ import annotations

import os
import struct
from typing import Any

from perftui.model.sysextra import SysExtra
from perftui.probes.ebpf.findtables import FXKEY, FXVAL, IDLE_READS, PATHKEY, PATHVAL, FindTables
from perftui.probes.ebpf.strings import Interner


class FakeMap:
    def __init__(self, rows: dict[bytes, bytes] | None = None) -> None:
        self.rows = dict(rows or {})
        self.deleted: list[bytes] = []
        self.stride = 8

    def items(self) -> list[tuple[bytes, bytes]]:
        return list(self.rows.items())

    def get(self, key: bytes) -> bytes | None:
        return self.rows.get(key)

    def delete(self, key: bytes) -> None:
        self.deleted.append(key)
        self.rows.pop(key, None)

    def delete_all(self, keys: list[bytes]) -> None:
        for key in keys:
            self.delete(key)


ME = os.getpid()  # a live "target": its tid ME is alive, tid 1 << 30 is not


def path_key(tid: int, path: str) -> bytes:
    return PATHKEY.pack(tid, 0, path.encode())


def read(t: FindTables, paths: FakeMap, fx: FakeMap | None = None) -> dict[str, Any]:
    return t.read(paths, FakeMap(), FakeMap(), fx or FakeMap())  # type: ignore[arg-type]


def test_changed_rows_only_and_ended_threads_leave_the_table() -> None:
    s = Interner()
    t = FindTables(ME, s, {}, cpus=1)
    gone = 1 << 30
    paths = FakeMap({path_key(ME, "/etc/a"): PATHVAL.pack(3, 0, 0, 0),
                     path_key(gone, "/etc/b"): PATHVAL.pack(0, 5, 0, 5)})
    first = read(t, paths)["paths"]
    assert sorted(first) == sorted([[s.id("/etc/a"), ME, 3, 0, 0, 0, True],
                                    [s.id("/etc/b"), gone, 0, 5, 0, 5, True]])
    assert paths.deleted == [path_key(gone, "/etc/b")]  # sent once, then dropped
    assert read(t, paths)["paths"] == []  # nothing changed


def test_an_idle_path_leaves_the_table_and_counts_on_in_the_model() -> None:
    s = Interner()
    t = FindTables(ME, s, {}, cpus=1)
    model = SysExtra()
    key = path_key(ME, "/etc/a")
    paths = FakeMap({key: PATHVAL.pack(7, 0, 0, 0)})
    names: dict[int, str] = {}
    for _ in range(IDLE_READS + 1):
        frame = read(t, paths)
        names.update(s.take_new())
        model.apply(frame, names.__getitem__)
    assert paths.deleted == [key] and key not in paths.rows
    paths.rows[key] = PATHVAL.pack(2, 0, 0, 0)  # looked up again: a new row
    rows = read(t, paths)["paths"]
    assert rows == [[s.id("/etc/a"), ME, 2, 0, 0, 0, True]]
    model.apply({"paths": rows}, names.__getitem__)
    assert model.paths.totals() == {("/etc/a", ME): (9, 0, 0, 0)}


def test_futex_rows_carry_seconds() -> None:
    t = FindTables(ME, Interner(), {}, cpus=1)
    fx = FakeMap({FXKEY.pack(0x1000, ME, 0): FXVAL.pack(4, 2_500_000_000, 1, 4, 0, 0)})
    assert read(t, FakeMap(), fx)["futex"] == [[0x1000, ME, 4, 2.5, 1, 4, 0, 0, True]]


def test_struct_sizes_match_the_bpf_program() -> None:
    # struct pathkey {u32 tid; u32 pad; char path[NAME_LEN = 256]}, struct fxkey {u64; u32; u32}
    assert PATHKEY.size == 264 and FXKEY.size == 16 and struct.calcsize("=6Q") == FXVAL.size
