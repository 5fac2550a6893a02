"""Frozen rows for the Syscalls, File I/O and Network panes from the ``ebpf`` stream."""

from __future__ import annotations

from dataclasses import dataclass

from perftui.model.syscalls import (
    SOURCE_NAMES,
    SyscallModel,
    SyscallStat,
    errno_name,
    quantile_ns,
)


@dataclass(frozen=True)
class SyscallRow:
    name: str
    per_s: float | None
    total: int
    errors: int  # since attach
    errors_by_name: tuple[tuple[str, int], ...]  # most common first
    p50_ns: float | None
    p95_ns: float | None
    p99_ns: float | None
    lat: tuple[int, ...]  # log2 buckets, for the detail screen
    time_s: float

    @property
    def top_errno(self) -> str:
        return self.errors_by_name[0][0] if self.errors_by_name else ""


@dataclass(frozen=True)
class FileRateRow:
    path: str
    read_per_s: float | None
    write_per_s: float | None
    calls_per_s: float | None
    avg_io: float | None  # bytes per call
    read_total: int
    write_total: int
    small_reads: bool


def source_label(m: SyscallModel) -> str:
    """``eBPF (ebpf probe)``; "" when nothing counts per syscall."""
    name = SOURCE_NAMES.get(m.source or "")
    return f"{name} ({m.stream} probe)" if name else ""


def syscall_row(s: SyscallStat) -> SyscallRow:
    errs = sorted(s.errors.items(), key=lambda kv: (-kv[1], kv[0]))
    lat = list(s.lat)
    return SyscallRow(
        s.name, s.per_s, s.calls, sum(s.errors.values()),
        tuple((errno_name(e), n) for e, n in errs),
        quantile_ns(lat, 0.50), quantile_ns(lat, 0.95), quantile_ns(lat, 0.99),
        tuple(lat), s.time_s)


def syscall_rows(m: SyscallModel) -> tuple[SyscallRow, ...]:
    """Busiest first: by calls/s, then by total (before the second frame gives a rate)."""
    rows = [syscall_row(s) for s in m.syscalls.values()]
    rows.sort(key=lambda r: (-(r.per_s or 0.0), -r.total, r.name))
    return tuple(rows)


def file_rows(m: SyscallModel) -> tuple[FileRateRow, ...]:
    rows = [FileRateRow(f.path, f.read_per_s, f.write_per_s, f.calls_per_s, f.avg_io,
                        f.read_bytes, f.write_bytes, f.small_reads) for f in m.files.values()]
    rows.sort(key=lambda r: (-((r.read_per_s or 0.0) + (r.write_per_s or 0.0)),
                             -(r.read_total + r.write_total), r.path))
    return tuple(rows)
