"""Detecting memory that grows steadily (a leak, or a cache without a bound)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from perftui.model.series import slope

# A warning needs this much history, this steady a rise and this much growth in all:
# short bursts (a GC cycle, a buffer filling once) should not cry wolf.
MIN_SPAN_S = 60.0
MIN_RISING_SHARE = 0.8
MIN_GROWTH_BYTES = 4 * 1024 * 1024
MIN_GROWTH_SHARE = 0.05


@dataclass(frozen=True)
class Growth:
    bytes_per_s: float
    span_s: float
    grown_bytes: float


def sustained_growth(points: list[tuple[float, float]],
                     min_span_s: float = MIN_SPAN_S) -> Growth | None:
    """Return the growth when RSS rose steadily over at least ``min_span_s``, else None."""
    if len(points) < 3 or points[-1][0] - points[0][0] < min_span_s:
        return None
    steps = [b[1] - a[1] for a, b in pairwise(points)]
    non_falling = sum(1 for d in steps if d >= 0) / len(steps)
    grown = points[-1][1] - points[0][1]
    start = max(points[0][1], 1.0)
    per_s = slope(points)
    if (per_s is None or per_s <= 0 or non_falling < MIN_RISING_SHARE
            or grown < MIN_GROWTH_BYTES or grown / start < MIN_GROWTH_SHARE):
        return None
    return Growth(bytes_per_s=per_s, span_s=points[-1][0] - points[0][0], grown_bytes=grown)
