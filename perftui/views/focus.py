"""The panes for one picked process of the followed tree (the tree screen's ``enter``).

A descendant is watched with less than the target: procfs reads its CPU, RSS, thread count
and I/O counters each sample, eBPF counts its syscalls per thread, py-spy samples its
Python threads.  Its open files, connections, per-thread CPU and memory breakdown are read
for the target only (fd numbers and /proc walks per process would cost every descendant of
a build): those parts of a pane say so instead of showing the target's figures.
"""

from __future__ import annotations

from dataclasses import replace

from perftui.model.model import Model
from perftui.model.series import slope
from perftui.model.tree import ProcState
from perftui.views.snapshot import (
    GROWTH_WINDOW_S,
    HISTORY_POINTS,
    CpuView,
    FileIOView,
    FocusView,
    MemoryView,
    NetView,
    Snapshot,
    SyscallView,
)
from perftui.views.syscalls import SyscallRow, source_label, thread_rows
from perftui.views.tree import ended_text

TARGET_ONLY = "the target's only"


def focus_snapshot(model: Model, snap: Snapshot, pid: int | None) -> Snapshot:
    """``snap`` with its panes narrowed to process ``pid``; ``snap`` itself when ``pid`` is
    the target, unknown, or None."""
    if pid is None or pid == model.pid:
        return snap
    p = model.tree.get(pid)
    if p is None:
        return snap
    focus = FocusView(pid, p.command, "running" if p.alive else ended_text(p))
    status = "" if p.alive else f" ({focus.status})"
    return replace(snap, focus=focus, header=replace(snap.header, focus=focus.label + status),
                   cpu=_cpu(p, snap.cpu), memory=_memory(p),
                   fileio=_fileio(p), net=_net(), syscalls=_syscalls(model, p, snap.syscalls))


def _tail(values: list[float]) -> tuple[float, ...]:
    return tuple(values[-HISTORY_POINTS:])


def _cpu(p: ProcState, whole: CpuView) -> CpuView:
    history = _tail([h.cpu_percent for h in p.history if h.cpu_percent is not None])
    threads = f"{p.threads} thread{'s' if p.threads != 1 else ''}" if p.threads else "threads"
    return CpuView(p.cpu_percent if p.alive else None, None, None, history, (), whole.cores,
                   scope_note=f"{threads}; CPU per thread and user/sys: {TARGET_ONLY}")


def _memory(p: ProcState) -> MemoryView:
    history = _tail([float(h.rss) for h in p.history])
    grown = span = None
    recent = [(h.ts, float(h.rss)) for h in p.history if h.ts >= p.history[-1].ts
              - GROWTH_WINDOW_S] if p.history else []
    if len(recent) >= 2:
        span, grown = recent[-1][0] - recent[0][0], recent[-1][1] - recent[0][1]
    return MemoryView(p.rss if p.alive else None, None, None, None, None, history,
                      slope(recent), None, None, "", growth_span_s=span, grown_bytes=grown,
                      scope_note=f"USS, PSS, swap, faults: {TARGET_ONLY}")


def _fileio(p: ProcState) -> FileIOView:
    reads = _tail([h.read_per_s or 0.0 for h in p.history])
    writes = _tail([h.write_per_s or 0.0 for h in p.history])
    return FileIOView(
        available=True, why="", read_per_s=p.read_per_s, write_per_s=p.write_per_s,
        storage_read_per_s=None, storage_write_per_s=None, read_calls_per_s=None,
        write_calls_per_s=None, read_history=reads, write_history=writes, fd_count=None,
        files=(), scope_note=f"bytes through read/write calls; files: {TARGET_ONLY}")


def _net() -> NetView:
    return NetView(False, "only the target's connections are followed", None, None, (), (),
                   (), None, None, None)


def _syscalls(model: Model, p: ProcState, whole: SyscallView) -> SyscallView:
    sys = model.sys
    if not sys.per_syscall:
        return replace(whole, rows=(), total_per_s=None, calls_history=(),
                       read_calls_per_s=None, write_calls_per_s=None, ctx_per_s=None)
    split = sys.threads
    span = split.span()
    rows = []
    names = model.pystacks.names  # (procfs names the target's threads only)
    for name, d in split.process_deltas(p.pid, model.pid).items():
        threads = thread_rows(split, name, names, lambda tid: split.pids.get(
            tid, model.pid) == p.pid)
        rows.append(SyscallRow(name, d.calls / span if span > 0 else None, d.calls,
                               d.errors or 0, (), None, None, None, (), d.seconds or 0.0,
                               threads))
    rows.sort(key=lambda r: (-(r.per_s or 0.0), r.name))
    total = sum(r.per_s or 0.0 for r in rows) if span > 0 else None
    every = f"; estimated from one call in {sys.lat_every}" if sys.lat_every > 1 else ""
    return SyscallView(
        source=source_label(sys), read_calls_per_s=None, write_calls_per_s=None,
        ctx_per_s=None, calls_history=(), note="", rows=tuple(rows), total_per_s=total,
        lat_every=sys.lat_every, threads_note=sys_note(span) + every, threads_window_s=span,
        scope_note=f"calls over the last {span:.0f} s; latency: {TARGET_ONLY}{every}")


def sys_note(span: float) -> str:
    return f"per process over {span:.0f} s" if span > 0 else ""
