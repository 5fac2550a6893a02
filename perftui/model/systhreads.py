"""Syscalls per thread, from the ``sys`` frames' ``bythread`` rows (docs/frames.md).

The probe sends a (thread, syscall) pair's cumulative counters only when they changed, so
the model keeps every pair's latest counters.  Rates are over a trailing window
(WINDOW_S): the change of a pair's counters since the window began, over the window's span,
the same span for every thread, so the shares add up.  A pair marked ``first`` had zero
counts at the previous frame; a pair seen for the first time without that mark (a recording
started mid-stream) counts from the frame it appears in.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

WINDOW_S = 10.0
MAX_PAIRS = 8192  # past this, pairs idle for longest are forgotten

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
    since: float | None = None  # counts are known from here on
    now: float | None = None  # the newest frame

    def new_run(self) -> None:
        for p in self._all():
            p.base, p.wire = p.total(), (0, 0.0, 0)

    def _all(self) -> list[Pair]:
        return [p for by_tid in self.pairs.values() for p in by_tid.values()]

    def apply(self, ts: float, prev_ts: float | None, rows: list[list[Any]],
              name: Any) -> None:
        """Fold one frame's rows in; ``prev_ts``: the previous frame (or the run's start);
        ``name``: sid -> syscall name."""
        if self.since is None:
            self.since = prev_ts if prev_ts is not None else ts
        for tid, sid, calls, secs, errors, first, *_ in rows:
            by_tid = self.pairs.setdefault(str(name(sid)), {})
            wire = (int(calls), float(secs or 0.0), int(errors or 0))
            p = by_tid.get(int(tid))
            if p is None:
                p = by_tid[int(tid)] = Pair(secs is not None)
                if first:  # zero at the previous frame: everything counted is new
                    p.points.append((prev_ts if prev_ts is not None else ts, 0, 0.0, 0))
            elif first:  # the probe started this pair over (its table dropped it)
                p.base, p.wire = p.total(), (0, 0.0, 0)
            p.wire = wire
            p.points.append((ts, *p.total()))
        self.now = ts
        self._prune(ts)

    def _prune(self, now: float) -> None:
        start = now - WINDOW_S
        for p in self._all():
            pts = p.points
            while len(pts) >= 2 and pts[1][0] <= start:  # keep the one at the window's start
                pts.popleft()
        keys = [(name, tid) for name, by_tid in self.pairs.items() for tid in by_tid]
        if len(keys) > MAX_PAIRS:
            keys.sort(key=lambda k: self.pairs[k[0]][k[1]].points[-1][0])
            for name, tid in keys[:len(keys) - MAX_PAIRS]:
                del self.pairs[name][tid]

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
            if not p.points:
                continue
            then = p.points[0]
            for pt in p.points:
                if pt[0] > start:
                    break
                then = pt
            last = p.points[-1]
            calls, errors = last[1] - then[1], last[3] - then[3]
            if calls > 0 or errors > 0:
                out.append(Delta(tid, calls, last[2] - then[2] if p.timed else None,
                                 errors if p.timed else None))
        return out
