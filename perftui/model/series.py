"""Bounded time series and the derivations the panes need (rates, growth slopes)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable


class Series:
    """A ring buffer of (timestamp, value) points; memory is bounded by ``maxlen``."""

    __slots__ = ("_points",)

    def __init__(self, maxlen: int) -> None:
        self._points: deque[tuple[float, float]] = deque(maxlen=maxlen)

    def append(self, ts: float, value: float) -> None:
        self._points.append((ts, value))

    def __len__(self) -> int:
        return len(self._points)

    def last(self) -> float | None:
        return self._points[-1][1] if self._points else None

    def values(self, limit: int | None = None) -> tuple[float, ...]:
        points = self._points
        if limit is not None and len(points) > limit:
            points = deque(points, maxlen=limit)  # keeps the newest ``limit``
        return tuple(v for _, v in points)

    def since(self, start_ts: float) -> list[tuple[float, float]]:
        return [p for p in self._points if p[0] >= start_ts]

    def points(self) -> list[tuple[float, float]]:
        return list(self._points)


def rate(prev: float | None, cur: float | None, dt: float) -> float | None:
    """Per-second rate between two counter readings; None when unknown or the counter reset."""
    if prev is None or cur is None or dt <= 0 or cur < prev:
        return None
    return (cur - prev) / dt


def slope(points: Iterable[tuple[float, float]]) -> float | None:
    """Least-squares slope (value units per second); None with fewer than two points."""
    pts = list(points)
    n = len(pts)
    if n < 2:
        return None
    mean_t = sum(t for t, _ in pts) / n
    mean_v = sum(v for _, v in pts) / n
    var_t = sum((t - mean_t) ** 2 for t, _ in pts)
    if var_t == 0:
        return None
    cov = sum((t - mean_t) * (v - mean_v) for t, v in pts)
    return cov / var_t
