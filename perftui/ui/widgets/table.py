"""A plain, fixed-column table drawn line by line; only lines whose text changed are repainted.

Why not DataTable: measured with the live demo at 1 s, three DataTables (updated in place
with ``update_cell``) were half of perftui's own CPU, because every refresh re-renders each
cell through Rich.  Here a row is one pre-formatted string, and the widget paints one Strip
per line: the app stays near 1% of a core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from perftui.units import ellipsize, ellipsize_left


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    width: int = 0  # 0: this column takes the width the others leave...
    max_width: int = 40  # ...up to this: numbers far from their name are hard to read
    right: bool = False  # numbers are right-aligned so digits line up
    cut_left: bool = False  # paths: keep the end (the file name) when cutting


class RowTable(Widget):
    # Component styles are cached by Textual until the next refresh (``rich_style`` is not).
    COMPONENT_CLASSES = {"rowtable--header", "rowtable--row", "rowtable--cursor"}
    DEFAULT_CSS = """
    RowTable {
        height: 1fr;
        & > .rowtable--header {
            color: $text-muted;
            text-style: bold;
        }
        & > .rowtable--row { color: $foreground; }
        & > .rowtable--cursor { color: $foreground; background: $boost; }
    }
    """

    class Resized(Message):
        """Bubbles up so the pane can refit its rows to the new height."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._cols: tuple[Col, ...] = ()
        self._widths: tuple[int, ...] = ()
        self._header = ""
        self._lines: list[str] = []  # formatted rows, as drawn
        self._rows: list[tuple[str, ...]] = []  # the same, as given
        self._cursor = -1  # the highlighted row (0 is the first under the header), -1: none

    def on_resize(self, event: events.Resize) -> None:
        # Fit the columns to the new width at once, from the rows as given: the pane's own
        # redraw (on Resized) may find its view unchanged and leave widths fitted to the
        # width of an earlier layout (a 4-cell name column in a wide pane).
        if self._cols:
            self._widths = self._fit_widths(self._cols)
            self._header = self._format([c.label for c in self._cols])
            shown = self._rows[: self.capacity] if self.size.height else self._rows
            self._lines = [self._format(row) for row in shown]
            self.refresh()
        self.post_message(self.Resized())

    @property
    def capacity(self) -> int:
        """How many rows fit under the header (0 before the first layout)."""
        return max(0, self.size.height - 1)

    @property
    def row_count(self) -> int:
        return len(self._lines)

    @property
    def rows_text(self) -> list[str]:
        return list(self._lines)

    def _fit_widths(self, cols: Sequence[Col]) -> tuple[int, ...]:
        # One space between columns, none around the table: at 40 columns every cell counts.
        fixed = sum(c.width for c in cols if c.width)
        flex = [c for c in cols if not c.width]
        spare = max(4, self.size.width - fixed - (len(cols) - 1))
        share = spare // max(1, len(flex))
        return tuple(c.width or min(share, c.max_width) for c in cols)

    def _format(self, values: Sequence[str]) -> str:
        cells = []
        for col, width, value in zip(self._cols, self._widths, values, strict=True):
            text = (ellipsize_left if col.cut_left else ellipsize)(value, width)
            cells.append(text.rjust(width) if col.right else text.ljust(width))
        return " ".join(cells)

    def set_columns(self, cols: Sequence[Col]) -> None:
        """(Re)build the columns when their set or the table's width changed."""
        widths = self._fit_widths(cols)
        if tuple(cols) == self._cols and widths == self._widths:
            return
        self._cols, self._widths = tuple(cols), widths
        self._header = self._format([c.label for c in cols])
        self._lines, self._rows = [], []
        self.refresh()

    def set_rows(self, rows: Sequence[tuple[str, ...]]) -> None:
        """Show ``rows`` (cell strings, one per column) in order, repainting changed lines."""
        self._rows = list(rows)  # all of them: a taller table shows more once resized
        if self.size.height:
            rows = rows[: self.capacity]
        new = [self._format(row) for row in rows]
        old = self._lines
        width = self.size.width
        for y in range(max(len(new), len(old))):
            if y >= len(new) or y >= len(old) or new[y] != old[y]:
                self.refresh(Region(0, y + 1, width, 1))
        self._lines = new

    @property
    def cursor(self) -> int:
        return self._cursor

    def set_cursor(self, row: int) -> None:
        """Highlight row ``row`` (-1: none); only the two lines concerned are repainted."""
        if row == self._cursor:
            return
        width = self.size.width
        for y in (self._cursor, row):
            if y >= 0:
                self.refresh(Region(0, y + 1, width, 1))
        self._cursor = row

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            style = self.get_component_rich_style("rowtable--header")
            text = self._header
        else:
            style = self.get_component_rich_style(
                "rowtable--cursor" if y - 1 == self._cursor else "rowtable--row")
            text = self._lines[y - 1] if y - 1 < len(self._lines) else ""
        return Strip([Segment(text[:width].ljust(width), style)], width)
