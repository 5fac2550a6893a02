"""The ``sys`` frame's tables for findings (docs/frames.md): ``paths`` (opens and stats per
path and thread), ``timeouts`` (the timeouts waits were given, per thread and syscall) and
``futex`` (waits and wakes per futex address and thread).

Rows come cumulative, and only when they changed; a row marked ``first`` (or whose counters
went down) started over, so what it had counted moves to its base.  A new probe run moves
every row's counters to its base.  Each table is bounded: past ``limit`` keys, a new key's
counts go to one ``other`` key (for paths, "(other paths)" of thread 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

K = TypeVar("K")
Counts = tuple[float, ...]
OTHER_PATHS = "(other paths)"
MAX_KEYS = 8192
# timeouts classes, in the wire's order
TIMEOUT_CLASSES = ("zero", "under_1ms", "under_10ms", "under_100ms", "longer", "none")


@dataclass
class Counters(Generic[K]):
    """Cumulative counters per key, summed over probe runs and restarts of a row."""

    other: K
    limit: int = MAX_KEYS
    base: dict[K, Counts] = field(default_factory=dict)
    wire: dict[K, Counts] = field(default_factory=dict)

    # Keys past the limit: their last row, so that only what is new adds to ``other``.
    overflow: dict[K, Counts] = field(default_factory=dict)
    # base + wire per key, kept as rows come: findings copy it at every sample, and adding
    # up thousands of rows there (a thread-per-request server's futexes) cost 90 ms a time.
    total: dict[K, Counts] = field(default_factory=dict)
    _copy: dict[K, Counts] | None = field(default=None, repr=False)  # totals() while unchanged

    def put(self, key: K, values: Counts, first: bool) -> None:
        if key not in self.wire and key not in self.base and len(self.wire) >= self.limit:
            self._overflow(key, values, first)
            return
        old = self.wire.get(key)
        if old is not None and (first or any(v < o for v, o in zip(values, old, strict=False))):
            self.base[key] = _add(self.base.get(key), old)  # it started over
        self.wire[key] = values
        self.total[key] = _add(self.base.get(key), values)
        self._copy = None

    def _overflow(self, key: K, values: Counts, first: bool) -> None:
        old = self.overflow.pop(key, None)
        restarted = old is None or first or any(v < o for v, o in zip(values, old, strict=False))
        new = values if restarted or old is None else tuple(
            v - o for v, o in zip(values, old, strict=False))
        self.base[self.other] = _add(self.base.get(self.other), new)
        self.total[self.other] = _add(self.base[self.other], self.wire.get(self.other, ()))
        self._copy = None
        self.overflow[key] = values
        if len(self.overflow) > 4 * self.limit:  # the longest unseen go (their next row
            del self.overflow[next(iter(self.overflow))]  # would count again in full)

    def new_run(self) -> None:
        self.overflow.clear()
        for key, values in self.wire.items():
            self.base[key] = _add(self.base.get(key), values)
        self.wire = {}

    def totals(self) -> dict[K, Counts]:
        """Every key's counters, summed over runs; read-only.  While no row comes, the same
        dict as the last call (findings then see at once that nothing moved)."""
        if self._copy is None:
            self._copy = dict(self.total)
        return self._copy


def _add(a: Counts | None, b: Counts) -> Counts:
    if a is None or not b:
        return b if a is None else a
    return tuple(x + y for x, y in zip(a, b, strict=False))


@dataclass
class SysExtra:
    """The three tables; each None-free but ``seen`` says whether the stream sent it at all
    (an older probe, or one on perf counters, does not: findings then say it is missing)."""

    paths: Counters[tuple[str, int]] = field(
        default_factory=lambda: Counters((OTHER_PATHS, 0)))  # (path, tid): opens, stats,
    # open fails, stat fails
    timeouts: Counters[tuple[int, str]] = field(
        default_factory=lambda: Counters((0, "(other)")))  # (tid, syscall): TIMEOUT_CLASSES
    futex: Counters[tuple[int, int]] = field(
        default_factory=lambda: Counters((0, 0)))  # (uaddr, tid): waits, wait_s, timeouts,
    # timed waits, wakes, woken
    seen: set[str] = field(default_factory=set)

    def new_run(self) -> None:
        for table in (self.paths, self.timeouts, self.futex):
            table.new_run()

    def apply(self, frame: dict[str, Any], name: Callable[[Any], str]) -> None:
        for key in ("paths", "timeouts", "futex"):
            if key in frame:
                self.seen.add(key)
        for sid, tid, *vals, first in frame.get("paths") or []:
            self.paths.put((name(sid), int(tid)), tuple(vals), bool(first))
        for tid, sid, *vals, first in frame.get("timeouts") or []:
            self.timeouts.put((int(tid), name(sid)), tuple(vals), bool(first))
        for uaddr, tid, *vals, first in frame.get("futex") or []:
            self.futex.put((int(uaddr), int(tid)), tuple(vals), bool(first))
