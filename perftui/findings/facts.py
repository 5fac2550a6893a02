"""What the findings read: the model's cumulative counters at one moment (``Facts``), and the
change between two such moments (``Span``), with the names and stacks to explain it.

Live, the engine takes Facts at every update and compares the newest with the one a window
ago; a report takes them at its window's start and end.  So both judge the same differences
of the same counters, from the same frames.
"""

from __future__ import annotations

import posixpath
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from perftui.model.model import Model
from perftui.model.stacks import Window

Counts = tuple[float, ...]
SHORT_LIVED = "short-lived threads"  # tid 0 of the eBPF probe's per-thread rows


@dataclass(frozen=True)
class ConnFacts:
    peer: str
    role: str
    sent: int
    recv: int
    sends: int
    recvs: int


@dataclass(frozen=True)
class Facts:
    ts: float
    syscalls: dict[str, tuple[int, dict[int, int]]] = field(default_factory=dict)
    bythread: dict[tuple[int, str], tuple[int, float, int]] = field(default_factory=dict)
    files: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    paths: dict[tuple[str, int], Counts] = field(default_factory=dict)
    timeouts: dict[tuple[int, str], Counts] = field(default_factory=dict)
    futex: dict[tuple[int, int], Counts] = field(default_factory=dict)
    conns: dict[tuple[int, int], ConnFacts] = field(default_factory=dict)
    peers: dict[str, tuple[str, int]] = field(default_factory=dict)  # role, connections
    cpu: tuple[float, float] | None = None  # user, system seconds
    threads: dict[int, tuple[float, float, int]] = field(default_factory=dict)  # u, s, ctx

    @staticmethod
    def of(model: Model, ts: float | None = None) -> Facts:
        """The model's counters now; ``ts``: the moment they stand for (default: the model's
        clock, its newest frame)."""
        sysm, proc = model.sys, model.process
        if ts is None:
            ts = model.now if model.now is not None else 0.0
        return Facts(
            ts=ts,
            syscalls={s.name: (s.calls, dict(s.errors)) for s in sysm.syscalls.values()},
            bythread=_bythread(model),
            files={f.path: (f.read_bytes, f.write_bytes, f.reads, f.writes)
                   for f in sysm.files.values()},
            paths=sysm.extra.paths.totals(), timeouts=sysm.extra.timeouts.totals(),
            futex=sysm.extra.futex.totals(),
            conns={k: ConnFacts(*_peer(model, k), c.sent, c.recv, c.sends, c.recvs)
                   for k, c in sysm.conns.items()},
            peers={n: (p.role, p.connections) for n, p in sysm.peers.items()},
            cpu=proc.cpu_times,
            threads={t.tid: (t.user_s, t.system_s, t.ctx) for t in proc.threads.values()})


def _peer(model: Model, key: tuple[int, int]) -> tuple[str, str]:
    c = model.sys.conns[key]
    return c.peer if c.peer is not None else ("(address unknown)", "client")


def _bythread(model: Model) -> dict[tuple[int, str], tuple[int, float, int]]:
    split = model.sys.threads
    out: dict[tuple[int, str], tuple[int, float, int]] = {}
    # Pairs idle for a while keep only their totals, aside (the split's own bookkeeping).
    idle: dict[tuple[str, int], Any] = getattr(split, "_idle", {})
    for (syscall, tid), (_timed, base, wire) in idle.items():
        out[tid, syscall] = (base[0] + wire[0], base[1] + wire[1], base[2] + wire[2])
    for syscall, by_tid in split.pairs.items():
        for tid, p in by_tid.items():
            out[tid, syscall] = p.total()
    return out


def from_stdlib(label: str) -> bool:
    """A py-spy frame label (``name (file.py:line)``) of CPython's standard library: its
    file's top-level module is one (py-spy gives paths from the import root: ``socket.py``,
    ``http/server.py``, ``<frozen runpy>``); a file in site-packages or the program is not."""
    _, _, where = label.rpartition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    if path.startswith("<frozen "):
        return True
    top = path.split("/", 1)[0].removesuffix(".py")
    return top in sys.stdlib_module_names


def _minus(now: Counts, then: Counts | None) -> Counts:
    if then is None or any(a < b for a, b in zip(now, then, strict=False)):
        return now if then is None else tuple(max(0.0, a - b) for a, b in
                                               zip(now, then, strict=False))
    return tuple(a - b for a, b in zip(now, then, strict=False))


@dataclass
class Span:
    """The change from ``base`` to ``now``; ``model`` for names and stacks."""

    base: Facts
    now: Facts
    model: Model
    history_from: float | None = None  # series (RSS) are judged from here (None: base.ts)
    # What several kinds read, computed once per span (tables of thousands of rows)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def seconds(self) -> float:
        return max(0.0, self.now.ts - self.base.ts)

    def per_s(self, count: float) -> float:
        return count / self.seconds if self.seconds > 0 else 0.0

    def syscalls(self) -> dict[str, tuple[int, dict[int, int]]]:
        out = {}
        for name, (calls, errors) in self.now.syscalls.items():
            calls0, errors0 = self.base.syscalls.get(name, (0, {}))
            out[name] = (max(0, calls - calls0),
                         {e: n - errors0.get(e, 0) for e, n in errors.items()
                          if n > errors0.get(e, 0)})
        return out

    def table(self, name: str) -> dict[Any, Counts]:
        """The change of one of the Facts' tables of counters, keys that moved only (shared by
        the kinds that read it: do not change it)."""
        memo: dict[Any, Counts] | None = self.memo.get(f"table:{name}")
        if memo is not None:
            return memo
        now: dict[Any, Any] = getattr(self.now, name)
        base: dict[Any, Any] = getattr(self.base, name)
        out: dict[Any, Counts] = {}
        if now is base:  # the same copy: no row came between the two
            return out
        # Rows that did not change are most of a long session's (ended threads): the set
        # difference of the items finds the others in C.
        for key, values in now.items() - base.items():
            d = _minus(tuple(values), base.get(key))
            if any(d):
                out[key] = d
        self.memo[f"table:{name}"] = out
        return out

    def conns(self) -> dict[tuple[int, int], tuple[ConnFacts, Counts]]:
        out = {}
        for key, c in self.now.conns.items():
            b = self.base.conns.get(key)
            d = _minus((c.sent, c.recv, c.sends, c.recvs),
                       None if b is None else (b.sent, b.recv, b.sends, b.recvs))
            if any(d):
                out[key] = (c, d)
        return out

    def new_connections(self) -> dict[str, tuple[str, int]]:
        """Per peer, connections first seen in the span (role, count)."""
        return {n: (role, count - self.base.peers.get(n, (role, 0))[1])
                for n, (role, count) in self.now.peers.items()
                if count > self.base.peers.get(n, (role, 0))[1]}

    def path(self, given: str) -> str:
        """A path as a lookup gave it, made absolute against the target's working directory
        (the ``paths`` table keeps what the call said: ``config.yaml``)."""
        cwd = self.model.sys.cwd
        if given.startswith("/") or given.startswith("(") or not cwd:
            return given
        return posixpath.normpath(posixpath.join(cwd, given))

    def thread_name(self, tid: int) -> str:
        if tid == 0:
            return SHORT_LIVED
        if tid < 0:  # a descendant's threads that ended between two frames
            return f"{SHORT_LIVED} of pid {-tid}"
        names = self.model.pystacks.names
        t = self.model.process.threads.get(tid)
        return names.get(tid) or (t.name if t is not None else None) \
            or self.model.process.ended_names.get(tid) or f"thread {tid}"

    def function(self, tid: int) -> str | None:
        """The function of the program's own code most often innermost on thread ``tid``'s
        stack in the span: on each sample, the innermost frame outside the standard library
        (``create_connection (socket.py)`` is where, not why), or the innermost one if all
        are (py-spy's samples; None when it has none of that thread)."""
        stacks = self.model.pystacks
        if tid <= 0 or not stacks.slices:
            return None
        window = Window.between(self.base.ts, self.now.ts)
        leaves: Counter[str] = Counter()
        for stack, n in stacks.counts(window, tid).items():
            labels = [stacks.labels[i] for i in stacks.stacks[stack]]
            if labels:
                own = next((lb for lb in reversed(labels) if not from_stdlib(lb)), labels[-1])
                leaves[own] += n
        return leaves.most_common(1)[0][0] if leaves else None

    def python(self) -> bool:
        """The target runs CPython (py-spy said so, or its executable's name does)."""
        if self.model.pystacks.python is not None:
            return True
        exe = str(self.model.process.meta.get("exe") or self.model.process.meta.get("name"))
        return "python" in exe.rsplit("/", 1)[-1]
