"""A DataTable that is redrawn in place: rows are slots by position, cells change only if new.

Clearing and re-adding rows every refresh costs a lot of CPU (every row re-measured and
re-rendered); here the table keeps one row per visible slot and calls ``update_cell`` only for
cells whose text changed, so a steady process costs almost nothing to watch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import DataTable

from perftui.units import ellipsize, ellipsize_left


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    width: int = 0  # 0: this column takes the width the others leave...
    max_width: int = 40  # ...up to this: numbers far from their name are hard to read
    right: bool = False  # numbers are right-aligned so digits line up
    cut_left: bool = False  # paths: keep the end (the file name) when cutting


class RowTable(DataTable[Text], can_focus=False):
    DEFAULT_CSS = """
    RowTable {
        height: 1fr;
        overflow: hidden;
        background: transparent;
        & > .datatable--header {
            background: transparent;
            color: $text-muted;
            text-style: bold;
        }
    }
    """

    class Resized(Message):
        """Bubbles up so the pane can refit its rows to the new height."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(show_cursor=False, cursor_type="none", id=id, classes=classes,
                         zebra_stripes=False, cell_padding=0)
        self._cols: tuple[Col, ...] = ()
        self._widths: tuple[int, ...] = ()
        self._shown: list[tuple[str, ...]] = []

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())

    @property
    def capacity(self) -> int:
        """How many rows fit without scrolling (0 before the first layout)."""
        return max(0, self.size.height - 1)

    def _fit_widths(self, cols: Sequence[Col]) -> tuple[int, ...]:
        # One space between columns (drawn by _cell), none around the table's edges: at 40
        # columns every cell counts.
        gaps = len(cols) - 1
        fixed = sum(c.width for c in cols if c.width)
        flex = [c for c in cols if not c.width]
        spare = max(4, self.size.width - fixed - gaps)
        share = spare // max(1, len(flex))
        return tuple(c.width or min(share, c.max_width) for c in cols)

    def _label(self, index: int) -> Text:
        return self._cell(index, self._cols[index].label)

    def set_columns(self, cols: Sequence[Col]) -> None:
        """(Re)build the columns when their set or the table's width changed."""
        widths = self._fit_widths(cols)
        if tuple(cols) == self._cols and widths == self._widths:
            return
        self.clear(columns=True)
        self._cols, self._widths, self._shown = tuple(cols), widths, []
        for i, (col, width) in enumerate(zip(cols, widths, strict=True)):
            self.add_column(self._label(i), width=width + (i > 0), key=col.key)

    def _cell(self, index: int, value: str) -> Text:
        col, width = self._cols[index], self._widths[index]
        cut = ellipsize_left if col.cut_left else ellipsize
        text = cut(value, width)
        text = text.rjust(width) if col.right else text.ljust(width)
        return Text((" " if index else "") + text, no_wrap=True, end="")

    def set_rows(self, rows: Sequence[tuple[str, ...]]) -> None:
        """Show ``rows`` (cell strings, one per column) in order, touching only what changed."""
        rows = list(rows[: self.capacity]) if self.size.height else list(rows)
        shown = self._shown
        for i in range(len(rows), len(shown)):
            self.remove_row(f"r{i}")
        del shown[len(rows):]
        for i, row in enumerate(rows):
            if i >= len(shown):
                self.add_row(*(self._cell(j, v) for j, v in enumerate(row)), key=f"r{i}")
                shown.append(row)
                continue
            old = shown[i]
            for j, value in enumerate(row):
                if value != old[j]:
                    self.update_cell(f"r{i}", self._cols[j].key, self._cell(j, value))
            shown[i] = row
