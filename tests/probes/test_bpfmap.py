"""Bulk map operations on a real BPF hash map (a tiny program compiled by bcc): the batch
delete removes every key asked, skips keys already gone, and keeps the others."""

from __future__ import annotations

import struct

from perftui.probes.ebpf.bcc_api import Program
from perftui.probes.ebpf.bpfmap import Map
from tests.support.skips import needs_bpf

SOURCE = """
BPF_HASH(rows, u32, u64, 64);
int unused(void *ctx) { return 0; }
"""


@needs_bpf
def test_delete_all_removes_the_keys_asked_and_skips_those_already_gone() -> None:
    prog = Program(SOURCE, [])
    try:
        rows = Map(prog, "rows")
        for k in range(40):
            rows.set(struct.pack("=I", k), struct.pack("=Q", k * 10))
        rows.delete(struct.pack("=I", 5))
        # 5 is gone already: the kernel stops there, the rest must still go
        rows.delete_all([struct.pack("=I", k) for k in sorted([*range(0, 40, 2), 5])])
        left = sorted(struct.unpack("=I", k)[0] for k, _ in rows.items())
        assert left == [k for k in range(1, 40, 2) if k != 5]
        rows.delete_all([struct.pack("=I", k) for k in (1, 5, 7, 5, 39)])
        left = sorted(struct.unpack("=I", k)[0] for k, _ in rows.items())
        assert left == [k for k in range(3, 39, 2) if k not in (5, 7)]
        rows.delete_all([])
        assert len(rows.items()) == len(left)
    finally:
        prog.close()
