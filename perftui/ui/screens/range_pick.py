"""A time range picked on the CPU history (``R`` in the hot-functions drill-down).

The chart is the CPU pane's series (one column per sample, newest on the right), frozen when
the picker opens so the columns hold still under the cursor.  A sample at ``ts`` measured the
interval before it, so a marked run of samples covers from the start of the first one's
interval to the last one's ``ts``: the stack chunks whose midpoints fall there.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from perftui.ui.widgets.chart import chart_rows, nice_ceiling
from perftui.units import fmt_percent

Point = tuple[float, float]  # (ts, % of one core)
Range = tuple[float, float]  # (t0, t1) wall-clock seconds


def span_of(points: Sequence[Point], i: int, j: int) -> Range:
    """The wall-clock span samples ``i``..``j`` (either order) measured."""
    lo, hi = min(i, j), max(i, j)
    if lo > 0:
        start = points[lo - 1][0]
    else:  # the first sample's interval: assume the next step's length
        start = points[0][0] - (points[1][0] - points[0][0] if len(points) > 1 else 0.0)
    return start, points[hi][0]


def clock(ts: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts))


def describe(span: Range, origin: float | None) -> str:
    """``12:00:01-12:00:07 (+1 s..+7 s)``: clock times, and offsets from ``origin``."""
    t0, t1 = span
    if origin is None:
        return f"{clock(t0)}-{clock(t1)} ({t1 - t0:.0f} s)"
    return f"{clock(t0)}-{clock(t1)} (+{t0 - origin:.0f} s..+{t1 - origin:.0f} s)"


class RangeChart(Widget, can_focus=True):
    """The chart with a cursor column; the marked run (mark..cursor) is highlighted."""

    COMPONENT_CLASSES = {"rangechart--bar", "rangechart--marked", "rangechart--cursor"}
    DEFAULT_CSS = """
    RangeChart {
        height: 1fr;
        background: $primary 8%;
        & > .rangechart--bar { color: $primary; }
        & > .rangechart--marked { color: $accent; background: $accent 20%; }
        & > .rangechart--cursor { color: $text; background: $accent 50%; }
    }
    """

    class Moved(Message):
        pass

    def __init__(self, values: Sequence[float], id: str | None = None) -> None:
        super().__init__(id=id)
        self.values = tuple(values)
        self.cursor = max(0, len(self.values) - 1)  # index into values; newest first
        self.mark: int | None = None

    @property
    def first(self) -> int:
        """The index of the leftmost value drawn (older ones do not fit the width)."""
        return max(0, len(self.values) - self.size.width) if self.size.width else 0

    def move(self, to: int) -> None:
        self.cursor = max(self.first, min(len(self.values) - 1, to))
        self.refresh()
        self.post_message(self.Moved())

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        shown = self.values[self.first:]
        top = nice_ceiling(max(shown, default=0.0))
        rows = chart_rows(shown, width, height - 1, top=top)  # the last row: the marker
        pad = width - len(shown)
        bar, marked, cursor = (self.get_component_rich_style(f"rangechart--{n}")
                               for n in ("bar", "marked", "cursor"))
        text = rows[y] if y < len(rows) else ""
        if y == height - 1:  # ^ under the cursor, - under the marked run
            text = ""
            for c in range(width):
                i = c - pad + self.first
                text += "^" if i == self.cursor else "-" if self._in_mark(i) else " "
        text = text.ljust(width)
        segments: list[Segment] = []
        for c, ch in enumerate(text):
            i = c - pad + self.first
            style: Style = cursor if i == self.cursor else marked if self._in_mark(i) else bar
            segments.append(Segment(ch, style))
        return Strip(Segment.simplify(segments), width)

    def _in_mark(self, i: int) -> bool:
        return self.mark is not None and min(self.mark, self.cursor) <= i <= max(
            self.mark, self.cursor)


class RangePicker(ModalScreen[Range | None]):
    """Dismisses with the (t0, t1) marked, or None on escape (or with no samples)."""

    DEFAULT_CSS = """
    RangePicker {
        align: center middle;
        #range-box { width: 90%; height: 16; border: round $accent; background: $surface;
                     padding: 0 1; }
        #range-help { height: 1; color: $text-muted; }
        #range-at { height: 1; color: $accent; }
    }
    """
    BINDINGS = [
        Binding("left", "move(-1)", "Earlier", show=False),
        Binding("right", "move(1)", "Later", show=False),
        Binding("home", "move(-100000)", "Oldest", show=False),
        Binding("end", "move(100000)", "Newest", show=False),
        Binding("space,enter", "mark", "Mark"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, points: Sequence[Point], origin: float | None = None) -> None:
        super().__init__()
        self.points = tuple(points)
        self.origin = origin  # offsets are shown from here (the session's first frame)

    def compose(self) -> ComposeResult:
        with Vertical(id="range-box"):
            yield Static("CPU history  left/right: move  space/enter: mark start, then end"
                         "  escape: cancel", id="range-help", markup=False)
            yield Static(id="range-at", markup=False)
            yield RangeChart([v for _, v in self.points], id="range-chart")

    def on_mount(self) -> None:
        self.query_one(RangeChart).focus()
        self.call_after_refresh(self._show_at)

    @property
    def chart(self) -> RangeChart:
        return self.query_one(RangeChart)

    def on_range_chart_moved(self) -> None:
        self._show_at()

    def _show_at(self) -> None:
        at = self.query_one("#range-at", Static)
        if not self.points:
            at.update("no CPU samples yet")
            return
        chart = self.chart
        i = chart.cursor
        ts, value = self.points[i]
        text = f"cursor {clock(ts)} {fmt_percent(value)}"
        if chart.mark is not None:
            text = f"range {describe(span_of(self.points, chart.mark, i), self.origin)}"
        at.update(text)

    def action_move(self, by: int) -> None:
        self.chart.move(self.chart.cursor + by)

    def action_mark(self) -> None:
        chart = self.chart
        if not self.points:
            self.dismiss(None)
        elif chart.mark is None:
            chart.mark = chart.cursor
            chart.refresh()
            self._show_at()
        else:
            self.dismiss(span_of(self.points, chart.mark, chart.cursor))

    def action_cancel(self) -> None:
        self.dismiss(None)
