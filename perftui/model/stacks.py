"""Stack samples (the ``pyspy`` stream) kept per time slice, summed over any window.

Each ``chunk`` frame becomes one slice: its time span and (stack, thread, count) triples.  A
window (the last N seconds, [t0, t1], or the whole session) is answered by adding up the
slices in it; the whole session also has a running total, so it survives the ring's eviction.
Memory is bounded three ways: a ring of slices (by count and by total entries), a cap on
distinct stacks (the rest are counted under one ``[other stacks]`` stack) and a cap on
(stack, thread) pairs in the session total (the rest under thread ``OTHER_TID``).

The views built from these sums (top functions, flame tree, exports) are in
``perftui.views.stacks``.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from perftui.frames import Frame

Counts = dict[int, int]  # stack index -> samples

OTHER_STACK = "[other stacks: more distinct stacks than perftui keeps]"
OTHER_TID = -1
# Which threads a view shows: one tid, a set of them (one process of the tree), or all.
Threads = int | frozenset[int] | None


def picks(which: Threads, tid: int) -> bool:
    if which is None:
        return True
    return tid == which if isinstance(which, int) else tid in which


MAX_THREADS = 10_000  # names and pids kept
SAMPLER_OPTIONS = ("idle", "gil", "native", "subprocesses")  # py-spy's, switchable live


@dataclass(frozen=True)
class Window:
    """Which samples: the last ``seconds`` before the newest slice ends, [``t0``, ``t1``]
    (wall-clock seconds), or, with neither, the whole session.  A slice belongs to a window
    when its midpoint does, so a window is exact to one chunk (about a second)."""

    seconds: float | None = None
    t0: float | None = None
    t1: float | None = None

    @staticmethod
    def last(seconds: float) -> Window:
        return Window(seconds=seconds)

    @staticmethod
    def between(t0: float, t1: float) -> Window:
        return Window(t0=t0, t1=t1)

    @property
    def whole(self) -> bool:
        return self.seconds is None and self.t0 is None and self.t1 is None


SESSION = Window()


@dataclass(frozen=True)
class Slice:
    t0: float
    t1: float
    asked: int  # samples the rate asked for over [t0, t1]
    got: int  # sampling ticks py-spy made
    errors: int
    data: array[int]  # flattened (stack index, tid, count) triples

    def triples(self) -> Iterable[tuple[int, int, int]]:
        d = self.data
        return zip(d[0::3], d[1::3], d[2::3], strict=True)


@dataclass(frozen=True)
class WindowStats:
    """What a window holds, for a header line: span, samples, and how complete it is."""

    t0: float | None
    t1: float | None
    chunks: int
    samples: int  # of the thread asked for, or of all threads
    asked: int  # sampling ticks asked for (whole process)
    got: int  # sampling ticks obtained
    errors: int
    threads: tuple[tuple[int, str, int], ...]  # (tid, name, samples), busiest first


class StackModel:
    def __init__(self, max_slices: int = 3600, max_entries: int = 400_000,
                 max_stacks: int = 20_000, max_pairs: int = 200_000) -> None:
        self.max_slices = max_slices
        self.max_entries = max_entries
        self.max_stacks = max_stacks
        self.max_pairs = max_pairs
        self.rate: int | None = None  # samples per second asked (from hello)
        self.python: str | None = None
        # py-spy's options in force (hello's flags, then ``options`` frames), and since when.
        self.options: dict[str, bool] = {}
        self.options_t0: float | None = None
        self.names: dict[int, str] = {}  # tid -> thread name
        self.pids: dict[int, int] = {}  # tid -> pid, for threads of child processes
        self.labels: list[str] = []  # frame labels, e.g. "hot_a (app.py:12)"
        self.stacks: list[tuple[int, ...]] = []  # label indices, root first
        self.slices: deque[Slice] = deque()
        self.session: dict[tuple[int, int], int] = {}  # (stack, tid) -> samples
        self.session_stats = [0, 0, 0, 0]  # chunks, asked, got, errors
        self.first_t0: float | None = None
        self.last_t1: float | None = None
        self.unknown_samples = 0  # samples naming a stack id never defined (frames lost)
        self._entries = 0
        self._label_ids: dict[str, int] = {}
        self._stack_ids: dict[tuple[int, ...], int] = {}
        self._wire_strs: dict[int, str] = {}
        self._wire_stacks: dict[int, int] = {}

    # -- frames in -------------------------------------------------------------------------

    def apply(self, frame: Frame) -> None:
        kind = frame.get("k")
        if kind == "hello":
            # A (re)started probe numbers its strings and stacks from scratch.
            self._wire_strs.clear()
            self._wire_stacks.clear()
            rate = frame.get("rate")
            self.rate = int(rate) if isinstance(rate, (int, float)) and rate > 0 else None
            self.python = frame.get("python")
            flags = frame.get("options")
            self.options = ({name: f"--{name}" in flags for name in SAMPLER_OPTIONS}
                            if isinstance(flags, list) else {})
            self.options_t0 = None
        elif kind == "options":
            self.options = {name: bool(frame.get(name)) for name in SAMPLER_OPTIONS}
            t0 = frame.get("t0")
            self.options_t0 = float(t0) if isinstance(t0, (int, float)) else None
        elif kind == "threads":
            _merge(self.names, frame.get("threads"))
        elif kind == "chunk":
            self._apply_chunk(frame)

    def _apply_chunk(self, frame: Frame) -> None:
        if frame.get("reset"):
            self._wire_strs.clear()
            self._wire_stacks.clear()
        self._wire_strs.update(_int_keys(frame.get("strs")))
        for wire_id, ids in _int_keys(frame.get("stacks")).items():
            labels = tuple(self._wire_strs.get(i, "?") for i in ids)
            self._wire_stacks[wire_id] = self._intern(labels)
        _merge(self.names, frame.get("threads"))
        _merge(self.pids, frame.get("pids"))
        data = array("q")
        for row in frame.get("samples") or ():
            stack = self._wire_stacks.get(row[0])
            if stack is None:
                self.unknown_samples += int(row[2])
                continue
            tid, count = int(row[1]), int(row[2])
            data.extend((stack, tid, count))
            key = (stack, tid)
            if key not in self.session and len(self.session) >= self.max_pairs:
                key = (stack, OTHER_TID)
            self.session[key] = self.session.get(key, 0) + count
        t0, t1 = float(frame.get("t0") or frame["ts"]), float(frame.get("t1") or frame["ts"])
        piece = Slice(t0, t1, int(frame.get("asked") or 0), int(frame.get("got") or 0),
                      int(frame.get("errors") or 0), data)
        for i, v in enumerate((1, piece.asked, piece.got, piece.errors)):
            self.session_stats[i] += v
        self.first_t0 = t0 if self.first_t0 is None else min(self.first_t0, t0)
        self.last_t1 = t1 if self.last_t1 is None else max(self.last_t1, t1)
        self.slices.append(piece)
        self._entries += len(data) // 3
        while self.slices and (len(self.slices) > self.max_slices
                               or self._entries > self.max_entries):
            self._entries -= len(self.slices.popleft().data) // 3

    def _intern(self, labels: tuple[str, ...]) -> int:
        key = tuple(self._label(s) for s in labels)
        found = self._stack_ids.get(key)
        if found is not None:
            return found
        if len(self.stacks) >= self.max_stacks:
            key = (self._label(OTHER_STACK),)
            found = self._stack_ids.get(key)
            if found is not None:
                return found
        self._stack_ids[key] = len(self.stacks)
        self.stacks.append(key)
        return len(self.stacks) - 1

    def _label(self, text: str) -> int:
        found = self._label_ids.get(text)
        if found is None:
            found = self._label_ids[text] = len(self.labels)
            self.labels.append(text)
        return found

    # -- windows out -----------------------------------------------------------------------

    def thread_name(self, tid: int) -> str:
        if tid == OTHER_TID:
            return "[other threads]"
        return self.names.get(tid) or f"thread {tid}"

    def slices_in(self, window: Window) -> list[Slice]:
        if window.whole:
            return list(self.slices)
        lo, hi = self._bounds(window)
        # (lo, hi]: adjacent windows share a bound, and a slice must count in one of them
        return [s for s in self.slices if lo < (s.t0 + s.t1) / 2 <= hi]

    def _bounds(self, window: Window) -> tuple[float, float]:
        if window.seconds is not None:
            end = self.last_t1 if self.last_t1 is not None else 0.0
            return end - window.seconds, end
        return (window.t0 if window.t0 is not None else float("-inf"),
                window.t1 if window.t1 is not None else float("inf"))

    def pairs(self, window: Window = SESSION) -> dict[tuple[int, int], int]:
        """(stack index, tid) -> samples in the window."""
        if window.whole:
            return dict(self.session)
        out: dict[tuple[int, int], int] = {}
        for piece in self.slices_in(window):
            for stack, tid, count in piece.triples():
                out[stack, tid] = out.get((stack, tid), 0) + count
        return out

    def counts(self, window: Window = SESSION, tid: Threads = None) -> Counts:
        """Stack index -> samples in the window, of one thread, a set of them, or all."""
        out: Counts = {}
        for (stack, t), n in self.pairs(window).items():
            if picks(tid, t):
                out[stack] = out.get(stack, 0) + n
        return out

    def threads_of(self, pid: int, target: int | None) -> frozenset[int]:
        """The sampled threads of process ``pid`` of the tree (the target's: every thread
        not marked as a descendant's)."""
        seen = {t for _s, t in self.session}
        return frozenset(t for t in seen if self.pids.get(t, target) == pid)

    def stats(self, window: Window = SESSION, tid: Threads = None) -> WindowStats:
        per_tid: dict[int, int] = {}
        for (_, t), n in self.pairs(window).items():
            per_tid[t] = per_tid.get(t, 0) + n
        threads = tuple(sorted(((t, self.thread_name(t), n) for t, n in per_tid.items()),
                               key=lambda r: (-r[2], r[0])))
        samples = sum(n for t, n in per_tid.items() if picks(tid, t))
        if window.whole:
            chunks, asked, got, errors = self.session_stats
            return WindowStats(self.first_t0, self.last_t1, chunks, samples, asked, got,
                               errors, threads)
        pieces = self.slices_in(window)
        return WindowStats(min((s.t0 for s in pieces), default=None),
                           max((s.t1 for s in pieces), default=None), len(pieces), samples,
                           sum(s.asked for s in pieces), sum(s.got for s in pieces),
                           sum(s.errors for s in pieces), threads)


def _merge(into: dict[int, Any], value: Any) -> None:
    """Add a wire map to a tid-keyed table, forgetting the oldest threads past MAX_THREADS
    (a thread pool that makes new threads all day must not grow the model)."""
    for tid, v in _int_keys(value).items():
        into.pop(tid, None)
        into[tid] = v
    for tid in list(into)[:max(0, len(into) - MAX_THREADS)]:
        del into[tid]


def _int_keys(value: Any) -> dict[int, Any]:
    """msgpack maps from the wire, keys made ints (tids and ids may arrive as either)."""
    if not isinstance(value, dict):
        return {}
    return {int(k): v for k, v in value.items()}
