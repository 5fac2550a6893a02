"""Frozen rows for the Syscalls, File I/O and Network panes from the ``ebpf`` stream."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from perftui.model.syscalls import (
    SOURCE_NAMES,
    SyscallModel,
    SyscallStat,
    errno_name,
    shown_quantile_ns,
)
from perftui.model.systhreads import ThreadSplit


@dataclass(frozen=True)
class ThreadSysRow:
    """One thread's share of one syscall over the split's window."""

    tid: int
    name: str  # "" when no probe named the thread (it may have ended)
    per_s: float
    share: float  # of the syscall's calls over the window, 0..1
    errors: int | None  # in the window; None: the source does not count errors per thread
    mean_ns: float | None  # mean latency; None when not timed


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
    threads: tuple[ThreadSysRow, ...] = ()  # busiest first, over the split's window

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
    late: bool = False  # named from /proc: opened before the probe attached


def source_label(m: SyscallModel) -> str:
    """``eBPF (ebpf probe)``; "" when nothing counts per syscall."""
    name = SOURCE_NAMES.get(m.source or "")
    return f"{name} ({m.stream} probe)" if name else ""


# tid 0 in the probe's per-thread rows: threads that started and ended between two frames
SHORT_LIVED_NAME = "(short-lived)"


def thread_rows(split: ThreadSplit, syscall: str, names: dict[int, str],
                keep: Callable[[int], bool] | None = None) -> tuple[ThreadSysRow, ...]:
    """``keep``: the tids to show (one process of the tree); shares are of those."""
    span = split.span()
    deltas = [d for d in split.deltas(syscall) if keep is None or keep(d.tid)]
    total = sum(d.calls for d in deltas)
    if span <= 0 or not deltas:
        return ()
    rows = [ThreadSysRow(d.tid, names.get(d.tid) or (SHORT_LIVED_NAME if d.tid <= 0 else ""),
                         d.calls / span,
                         d.calls / total if total else 0.0, d.errors,
                         d.seconds / d.calls * 1e9 if d.seconds is not None and d.calls
                         else None)
            for d in deltas]
    rows.sort(key=lambda r: (-r.per_s, -(r.errors or 0), r.tid))
    return tuple(rows)


def thread_note(m: SyscallModel) -> str:
    """Why the per-thread split is missing or partial; "" when it is whole."""
    if m.source == "perf":
        return "calls only: perf counters give no latency or errors per thread"
    if m.source != "bpf":
        return "no per-thread split: no eBPF source"
    if m.detail == "counts":
        return "no per-thread split: the probe runs with --detail counts"
    latency = m.caps.get("latency") or {}
    if not latency.get("ok", True):  # the split is part of the latency program
        return f"no per-thread split: {latency.get('why') or 'latency off'}"
    return ""


def syscall_row(s: SyscallStat, threads: tuple[ThreadSysRow, ...] = ()) -> SyscallRow:
    errs = sorted(s.errors.items(), key=lambda kv: (-kv[1], kv[0]))
    lat = list(s.lat)
    return SyscallRow(
        s.name, s.per_s, s.calls, sum(s.errors.values()),
        tuple((errno_name(e), n) for e, n in errs),
        shown_quantile_ns(lat, 0.50), shown_quantile_ns(lat, 0.95), shown_quantile_ns(lat, 0.99),
        tuple(lat), s.time_s, threads)


def syscall_rows(m: SyscallModel,
                 names: dict[int, str] | None = None) -> tuple[SyscallRow, ...]:
    """Busiest first: by calls/s, then by total (before the second frame gives a rate).
    ``names``: thread names by tid, for the per-thread split."""
    rows = [syscall_row(s, thread_rows(m.threads, s.name, names or {}))
            for s in m.syscalls.values()]
    rows.sort(key=lambda r: (-(r.per_s or 0.0), -r.total, r.name))
    return tuple(rows)


def file_rows(m: SyscallModel) -> tuple[FileRateRow, ...]:
    rows = [FileRateRow(f.path, f.read_per_s, f.write_per_s, f.calls_per_s, f.avg_io,
                        f.read_bytes, f.write_bytes, f.small_reads, f.late)
            for f in m.files.values()]
    rows.sort(key=lambda r: (-((r.read_per_s or 0.0) + (r.write_per_s or 0.0)),
                             -(r.read_total + r.write_total), r.path))
    return tuple(rows)
