"""Cheap, exact copies of a model for seeking in a replay.

A checkpoint is the model's whole state (threads, connections, counters, probe status, frame
counts) with its series emptied, plus, per series, how many points it had received.  The
points themselves live once in a SeriesLog shared by every checkpoint of a replay (16 bytes a
point), so a checkpoint costs a few KB however long its series are, and restoring one refills
each ring buffer with exactly the points it held.
"""

from __future__ import annotations

import copy
import dataclasses
from array import array
from typing import Any

from perftui.model.model import Model
from perftui.model.series import Series


def series_paths(model: Model) -> dict[str, Series]:
    """Every Series in the model by its path (``process.series.cpu``, ``self_cpu``)."""
    found: dict[str, Series] = {}
    seen: set[int] = set()

    def walk(obj: Any, path: str) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, Series):
            found[path] = obj
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name)
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, f"{path}.{k}")
        elif isinstance(obj, (list, tuple)):
            for i, v in enumerate(obj):
                walk(v, f"{path}.{i}")

    walk(model, "")
    return found


def _points(s: Series) -> Any:
    return s._points  # the ring buffer itself: a deque of (ts, value)


class SeriesLog:
    """Every point that reached the series of one model, in the order they arrived."""

    def __init__(self) -> None:
        self._ts: dict[str, array[float]] = {}
        self._values: dict[str, array[float]] = {}
        self._last: dict[str, object] = {}  # the newest point logged (by identity)

    def sync(self, model: Model) -> dict[str, int]:
        """Log the points added since the last sync; return each series' point count.
        When more than a ring's length arrived since, the log has a hole, but before the
        newest ``maxlen`` points, which is all a restore ever takes."""
        marks: dict[str, int] = {}
        for path, s in series_paths(model).items():
            pts = _points(s)
            ts = self._ts.setdefault(path, array("d"))
            values = self._values.setdefault(path, array("d"))
            last = self._last.get(path)
            new = []
            for p in reversed(pts):
                if p is last:
                    break
                new.append(p)
            for t, v in reversed(new):
                ts.append(t)
                values.append(v)
            if pts:
                self._last[path] = pts[-1]
            marks[path] = len(ts)
        return marks

    def fill(self, model: Model, marks: dict[str, int]) -> None:
        """Refill the (empty) series of a restored checkpoint to what they held at ``marks``."""
        for path, s in series_paths(model).items():
            n = marks.get(path, 0)
            pts = _points(s)
            start = max(0, n - (pts.maxlen or n))
            pts.extend(zip(self._ts[path][start:n], self._values[path][start:n],
                           strict=True) if n else ())


def checkpoint(model: Model) -> Model:
    """A deep copy of ``model`` whose series are empty (same lengths)."""
    memo: dict[int, Any] = {id(s): Series(_points(s).maxlen or 0)
                            for s in series_paths(model).values()}
    return copy.deepcopy(model, memo)


def restore(saved: Model, log: SeriesLog | None = None,
            marks: dict[str, int] | None = None) -> Model:
    """A working copy of a checkpoint (which stays as it was), series refilled from ``log``."""
    model = copy.deepcopy(saved)
    if log is not None and marks:
        log.fill(model, marks)
    return model
