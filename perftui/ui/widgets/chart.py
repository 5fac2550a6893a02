"""A multi-row block chart of the newest values: one column per sample, newest on the right.

Textual's Sparkline squeezes the whole series into the width (so a column's meaning changes as
history grows) and is one row tall; here a column is always one sample, the chart can be as
tall as its pane allows, and a wider pane simply shows more history.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

_BLOCKS = " ▁▂▃▄▅▆▇█"


def nice_ceiling(value: float) -> float:
    """The next 1, 2 or 5 times a power of ten at or above ``value``: a scale people read."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if value <= step * power * (1 + 1e-9):
            return step * power
    return 10.0 * power


def chart_rows(values: Sequence[float], width: int, height: int, *, floor: float = 0.0,
               top: float | None = None, relative: bool = False) -> list[str]:
    """The chart as ``height`` strings of ``width`` cells (pure, for tests and rendering).

    ``relative`` scales from the smallest to the largest visible value (to see a trend in a
    large quantity such as RSS); otherwise from 0 to ``max(top, peak)``.
    """
    if width <= 0 or height <= 0:
        return []
    shown = list(values[-width:])
    if not shown:
        return [" " * width] * height
    low = min(shown) if relative else floor
    high = max(max(shown), top if top is not None else low)
    span = high - low
    steps = height * 8
    levels: list[int] = []
    for v in shown:
        if span <= 0:
            # Flat: one eighth, so the chart shows data is there (and a zero is visible).
            level = 1 if relative or v > low else 0
        else:
            level = round((v - low) / span * steps)
            level = max(1 if relative or v > low else 0, min(steps, level))
        levels.append(level)
    pad = " " * (width - len(levels))
    rows = []
    for r in range(height):
        base = (height - 1 - r) * 8
        rows.append(pad + "".join(_BLOCKS[max(0, min(8, lv - base))] for lv in levels))
    return rows


class HistoryChart(Widget):
    """Draws :func:`chart_rows` in the widget's colour; set data with :meth:`set_values`."""

    # The bar style as a component: Textual caches it until the next refresh, where
    # ``rich_style`` would be recomputed for every line (a tall chart has many).
    COMPONENT_CLASSES = {"historychart--bar"}
    DEFAULT_CSS = """
    HistoryChart {
        height: 3;
        width: 1fr;
        background: $primary 8%;
        & > .historychart--bar { color: $primary; }
    }
    """

    def __init__(self, *, relative: bool = False, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._values: tuple[float, ...] = ()
        self._relative = relative
        self._top: float | None = None
        self._rows: list[str] = []
        self._rows_key: tuple[object, ...] = ()

    def tail(self, values: tuple[float, ...]) -> tuple[float, ...]:
        """The newest values that fit the chart's width (what it draws)."""
        return values[-self.size.width:] if self.size.width else values

    def set_values(self, values: tuple[float, ...], top: float | None = None) -> None:
        """``top``: the value at the top of the chart (default: the largest shown)."""
        if values != self._values or top != self._top:  # no repaint when nothing new
            self._values, self._top = values, top
            self.refresh()

    def _layout_rows(self) -> list[str]:
        key = (self._values, self._top, self.size.width, self.size.height)
        if key != self._rows_key:
            self._rows_key = key
            self._rows = chart_rows(self._values, self.size.width, self.size.height,
                                    top=self._top, relative=self._relative)
        return self._rows

    def render_line(self, y: int) -> Strip:
        rows = self._layout_rows()
        width = self.size.width
        text = rows[y] if y < len(rows) else ""
        style = self.get_component_rich_style("historychart--bar")
        return Strip([Segment(text.ljust(width), style)], width)
