"""Syscalls per thread, from the ``sys`` frames' ``bythread`` rows (docs/frames.md).

The probe sends a (thread, syscall) pair's cumulative counters only when they changed, so
the model keeps every pair's latest counters.  Rates are over a trailing window
(WINDOW_S): the change of a pair's counters since the window began, over the window's span,
the same span for every thread, so the shares add up.  A pair marked ``first`` had zero
counts at the previous frame; a pair seen for the first time without that mark (a recording
started mid-stream) counts from the frame it appears in.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, TypeVar

WINDOW_S = 10.0
MAX_PAIRS = 8192  # past this, pairs idle for longest are forgotten
# Pairs idle for the whole window keep only their totals, this many at most: a server that
# starts a thread per request (20k threads in 12 s) must not make every frame cost more.
MAX_IDLE = 65536

Point = tuple[float, int, float, int]  # (ts, calls, seconds, errors), cumulative


@dataclass
class Pair:
    """One thread's counters for one syscall, summed over probe runs."""

    timed: bool  # the source counts time and errors (bpf), not only calls (perf)
    base: tuple[int, float, int] = (0, 0.0, 0)  # totals of earlier runs (or evicted rows)
    wire: tuple[int, float, int] = (0, 0.0, 0)  # this run's counters at the last frame
    points: deque[Point] = field(default_factory=deque)

    def total(self) -> tuple[int, float, int]:
        return (self.base[0] + self.wire[0], self.base[1] + self.wire[1],
                self.base[2] + self.wire[2])


@dataclass(frozen=True)
class Delta:
    """A pair's change over the window."""

    tid: int
    calls: int
    seconds: float | None
    errors: int | None


@dataclass
class ThreadSplit:
    pairs: dict[str, dict[int, Pair]] = field(default_factory=dict)  # syscall -> tid ->
    # tid -> its process, for the threads of the target's descendants (the rows' seventh
    # field; a negative tid: that process's short-lived threads)
    pids: dict[int, int] = field(default_factory=dict)
    since: float | None = None  # counts are known from here on
    now: float | None = None  # the newest frame
    # The pairs above, least recently updated first: pruning looks only at what expired.
    _order: OrderedDict[tuple[str, int], float] = field(default_factory=OrderedDict)
    # Pairs idle past the window, by (syscall, tid): (their Pair's base and wire).
    _idle: OrderedDict[tuple[str, int], tuple[bool, tuple[int, float, int],
                                              tuple[int, float, int]]] = field(
        default_factory=OrderedDict)

    def new_run(self) -> None:
        for p in self._all():
            p.base, p.wire = p.total(), (0, 0.0, 0)
        self._idle = OrderedDict((k, (timed, _sum(base, wire), (0, 0.0, 0)))
                                 for k, (timed, base, wire) in self._idle.items())

    def _all(self) -> list[Pair]:
        return [p for by_tid in self.pairs.values() for p in by_tid.values()]

    def apply(self, ts: float, prev_ts: float | None, rows: list[list[Any]],
              name: Any) -> None:
        """Fold one frame's rows in; ``prev_ts``: the previous frame (or the run's start);
        ``name``: sid -> syscall name."""
        if self.since is None:
            self.since = prev_ts if prev_ts is not None else ts
        start = ts - WINDOW_S
        for tid, sid, calls, secs, errors, first, *rest in rows:
            if rest and rest[0] is not None:
                self.pids[int(tid)] = int(rest[0])
                if len(self.pids) > MAX_IDLE:
                    del self.pids[next(iter(self.pids))]
            key = (str(name(sid)), int(tid))
            by_tid = self.pairs.setdefault(key[0], {})
            wire = (int(calls), float(secs or 0.0), int(errors or 0))
            p = by_tid.get(key[1])
            if p is None:
                p = by_tid[key[1]] = Pair(secs is not None)
                idle = self._idle.pop(key, None)
                if idle is not None:  # back after a quiet window: from where it was
                    _timed, p.base, old = idle
                    p.wire = old
                    p.points.append((prev_ts if prev_ts is not None else ts, *p.total()))
                elif first:  # zero at the previous frame: everything counted is new
                    p.points.append((prev_ts if prev_ts is not None else ts, 0, 0.0, 0))
            elif first:  # the probe started this pair over (its table dropped it)
                p.base, p.wire = p.total(), (0, 0.0, 0)
            p.wire = wire
            pts = p.points
            pts.append((ts, *p.total()))
            while len(pts) >= 2 and pts[1][0] <= start:  # keep the one at the window's start
                pts.popleft()
            self._order[key] = ts
            self._order.move_to_end(key)
        self.now = ts
        self._prune(ts)

    def _prune(self, now: float) -> None:
        """Pairs not updated within the window (they add nothing to it) keep only their
        totals; past MAX_PAIRS the least recently updated ones too."""
        start = now - WINDOW_S
        while self._order:
            key, last = next(iter(self._order.items()))
            if last > start and len(self._order) <= MAX_PAIRS:
                break
            del self._order[key]
            p = self.pairs[key[0]].pop(key[1])
            self._idle[key] = (p.timed, p.base, p.wire)
            if len(self._idle) > MAX_IDLE:
                self._idle.popitem(last=False)

    def span(self) -> float:
        """Seconds the window covers (shorter at the start)."""
        if self.now is None or self.since is None:
            return 0.0
        return self.now - max(self.now - WINDOW_S, self.since)

    def deltas(self, syscall: str) -> list[Delta]:
        """Threads that made ``syscall`` (or failed in it) within the window."""
        if self.now is None:
            return []
        start = self.now - WINDOW_S
        out: list[Delta] = []
        for tid, p in self.pairs.get(syscall, {}).items():
            d = _delta(tid, p, start)
            if d is not None:
                out.append(d)
        return out

    def process_deltas(self, pid: int, target: int | None) -> dict[str, Delta]:
        """Per syscall, the calls of one process of the tree within the window: its threads'
        summed (``tid`` of each Delta: the process's pid)."""
        if self.now is None:
            return {}
        start = self.now - WINDOW_S
        out: dict[str, Delta] = {}
        for syscall, by_tid in self.pairs.items():
            for tid, p in by_tid.items():
                owner = self.pids.get(tid, target)
                if owner != pid:
                    continue
                d = _delta(pid, p, start)
                if d is None:
                    continue
                had = out.get(syscall)
                out[syscall] = d if had is None else Delta(
                    pid, had.calls + d.calls, _opt_add(had.seconds, d.seconds),
                    _opt_add(had.errors, d.errors))
        return out


def _delta(tid: int, p: Pair, start: float) -> Delta | None:
    """A pair's change since the window's ``start``; None when nothing changed."""
    if not p.points or p.points[-1][0] <= start:
        return None
    then = p.points[0]
    for pt in p.points:
        if pt[0] > start:
            break
        then = pt
    last = p.points[-1]
    calls, errors = last[1] - then[1], last[3] - then[3]
    if calls <= 0 and errors <= 0:
        return None
    return Delta(tid, calls, last[2] - then[2] if p.timed else None,
                 errors if p.timed else None)


N = TypeVar("N", int, float)


def _opt_add(a: N | None, b: N | None) -> N | None:
    return None if a is None or b is None else a + b


def _sum(a: tuple[int, float, int], b: tuple[int, float, int]) -> tuple[int, float, int]:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])
