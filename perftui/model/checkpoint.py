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
from collections import deque
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


_ATOMIC = (int, float, str, bytes, bool, type(None))


def frozen_parts(model: Model) -> dict[int, Any]:
    """Instances of frozen dataclasses in the model, by id: immutable by contract, so
    checkpoints share them instead of copying (the stack model's slices, for one).
    Containers whose first item is a plain value are taken to hold only plain values."""
    found: dict[int, Any] = {}
    seen: set[int] = set()
    todo: list[Any] = [model]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, _ATOMIC):
            continue
        seen.add(id(obj))
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            if obj.__dataclass_params__.frozen:  # type: ignore[attr-defined]
                found[id(obj)] = obj
            else:
                todo.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))
            continue
        items: Any = obj.values() if isinstance(obj, dict) else obj
        if isinstance(obj, (dict, list, tuple, deque, set)):
            first = next(iter(items), None)
            if not isinstance(first, _ATOMIC):
                todo.extend(items)
        elif hasattr(obj, "__dict__") and not isinstance(obj, Series):
            todo.extend(vars(obj).values())
    return found


def checkpoint(model: Model, shared: dict[int, Any] | None = None) -> Model:
    """A deep copy of ``model`` whose series are empty (same lengths), sharing its frozen
    parts (``shared``: frozen_parts(model), when the caller has it already)."""
    memo: dict[int, Any] = dict(frozen_parts(model) if shared is None else shared)
    memo.update({id(s): Series(_points(s).maxlen or 0) for s in series_paths(model).values()})
    return copy.deepcopy(model, memo)


def restore(saved: Model, log: SeriesLog | None = None,
            marks: dict[str, int] | None = None) -> Model:
    """A working copy of a checkpoint (which stays as it was), series refilled from ``log``."""
    model = copy.deepcopy(saved, frozen_parts(saved))
    if log is not None and marks:
        log.fill(model, marks)
    return model
