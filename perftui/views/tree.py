"""The process tree as rows for the tree screen: the target first, its descendants below
their parents (depth-first; among siblings the running ones by start, then the ended ones,
the latest first), live ones with their CPU and RSS, ended ones with how they ended and how
long they lived."""

from __future__ import annotations

from dataclasses import dataclass

from perftui.model.model import Model
from perftui.model.tree import ProcState


@dataclass(frozen=True)
class ProcRow:
    pid: int
    depth: int  # 0: the target
    command: str
    cpu_percent: float | None
    rss: int | None
    threads: int | None
    alive: bool
    ended: str  # "exit 0", "killed by signal 9", "ended" (no exit record); "" while alive
    life_s: float | None  # start to end (or to now)
    syscalls: int | None


@dataclass(frozen=True)
class TreeView:
    followed: bool  # a probe follows the descendants (--children)
    rows: tuple[ProcRow, ...] = ()

    @property
    def alive(self) -> int:
        return sum(1 for r in self.rows if r.alive)


def ended_text(p: ProcState) -> str:
    if p.alive:
        return ""
    if p.exit_signal:
        return f"killed by signal {p.exit_signal}"
    return f"exit {p.exit_code}" if p.exit_code is not None else "ended"


def tree_view(model: Model) -> TreeView:
    tree = model.tree
    if not tree.seen:
        return TreeView(False)
    procs = {p.pid: p for p in tree.all()}
    root = model.pid
    kids: dict[int | None, list[ProcState]] = {}
    for p in procs.values():
        if p.pid != root:
            parent = p.ppid if p.ppid in procs and p.ppid != p.pid else root
            kids.setdefault(parent, []).append(p)
    rows: list[ProcRow] = []
    now = model.now

    def walk(p: ProcState, depth: int) -> None:
        rows.append(_row(model, p, depth, now))
        # running children first (by start), then the ended ones, the latest first
        for child in sorted(kids.get(p.pid, []),
                            key=lambda c: (not c.alive, (c.start_ts or 0.0) * (1 if c.alive
                                                                             else -1), c.pid)):
            walk(child, depth + 1)

    top = procs.get(root) if root is not None else None
    walk(top if top is not None else ProcState(root or 0), 0)
    return TreeView(True, tuple(rows))


def _row(model: Model, p: ProcState, depth: int, now: float | None) -> ProcRow:
    if depth == 0:  # the target: its own stream
        proc = model.process
        meta = proc.meta
        command = " ".join(str(a) for a in meta.get("cmdline") or []) or p.command
        rss = proc.mem.get("rss")
        exited = model.exit is not None
        return ProcRow(p.pid, 0, command, proc.rates.get("cpu"),
                       rss if isinstance(rss, int) and not exited else None,
                       len(proc.threads) or None, not exited,
                       _target_end(model) if exited else "", None, p.syscalls)
    end = p.end_ts if p.end_ts is not None else now
    life = end - p.start_ts if end is not None and p.start_ts is not None else None
    return ProcRow(p.pid, depth, p.command, p.cpu_percent, p.rss, p.threads, p.alive,
                   ended_text(p), life, p.syscalls)


def _target_end(model: Model) -> str:
    e = model.exit
    if e is None:
        return ""
    if e.signal:
        return f"killed by signal {e.signal}"
    return f"exit {e.code}" if e.code is not None else e.reason
