"""What every pane shares: focus and zoom, redrawing only when its view changed and is visible.

A pane picks its part of the frozen Snapshot (``select``) and draws it (``draw``).  Views are
frozen dataclasses, so "did anything change?" is one ``==``; a pane hidden behind a zoomed
pane or a help screen skips the work and catches up when it is shown again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar, cast

from textual import events
from textual.containers import Vertical
from textual.content import Content
from textual.css.styles import RulesMap
from textual.widgets import Static

from perftui.frames import STALE
from perftui.ui.widgets.table import RowTable
from perftui.views.snapshot import Snapshot

V = TypeVar("V")

# Below this width a pane drops secondary columns and words.
WIDE = 70


class Line(Static):
    """Static text that repaints only when its content (text or styling) really changed."""

    DEFAULT_CSS = """
    Line {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    Line.wrap { text-wrap: wrap; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self._shown = Content("")

    def show(self, content: Content | str) -> None:
        new = Content(content) if isinstance(content, str) else content
        if not new.is_same(self._shown):
            # A layout pass costs far more than a repaint: only ask for one when the number
            # of lines (after wrapping, for wrapping lines) changes.
            width = self.content_size.width
            if width and self.has_class("wrap"):
                rules = cast("RulesMap", self.styles)  # what Textual itself passes
                relayout = (new.get_height(rules, width)
                            != self._shown.get_height(rules, width))
            else:
                relayout = new.plain.count("\n") != self._shown.plain.count("\n")
            self._shown = new
            self.update(new, layout=relayout or not width)

    @property
    def text(self) -> str:
        return self._shown.plain


Item = tuple[str, str]  # (label, value with unit)


def grid(items: Sequence[Item], width: int, *, value_width: int = 10) -> Content:
    """Label/value pairs in aligned columns, as many per line as ``width`` holds.

    Values are right-aligned in a fixed width so digits do not jump about between refreshes.
    """
    if not items:
        return Content("")
    label_w = max(len(label) for label, _ in items)
    val_w = max(value_width, *(len(v) for _, v in items))
    cell = label_w + 1 + val_w
    per_line = max(1, (width + 2) // (cell + 2))
    lines: list[Content] = []
    for start in range(0, len(items), per_line):
        parts: list[str | tuple[str, str]] = []
        for i, (label, value) in enumerate(items[start:start + per_line]):
            if i:
                parts.append("  ")
            parts.append((label.ljust(label_w), "$text-muted"))
            parts.append(" ")
            parts.append((value.rjust(val_w), "bold"))
        lines.append(Content.assemble(*parts))
    return Content("\n").join(lines)


def read_write(rows: Sequence[tuple[str, str, str]]) -> Content:
    """Lines of ``label  read VALUE  write VALUE`` with the values aligned across lines."""
    label_w = max(len(r[0]) for r in rows)
    val_w = max(9, *(len(v) for r in rows for v in r[1:]))
    return Content("\n").join(
        Content.assemble((label.ljust(label_w), "$text-muted"), (" read ", "$text-muted"),
                         (r.rjust(val_w), "bold"), (" write ", "$text-muted"),
                         (w.rjust(val_w), "bold"))
        for label, r, w in rows)


class Pane(Vertical, Generic[V], can_focus=True):
    """Base of the five panes; subclasses set TITLE and implement ``select`` and ``draw``."""

    TITLE: ClassVar[str] = ""
    # The probes whose frames the pane draws: when one of them is stale, the pane says so.
    SOURCES: ClassVar[tuple[str, ...]] = ("procfs",)
    DEFAULT_CSS = """
    Pane {
        height: 1fr;
        border: none;
        border-top: solid $foreground 30%;
        border-title-color: $foreground;
        border-title-style: bold;
        padding: 0 0;
        &:focus {
            border-top: heavy $accent;
            border-title-color: $accent;
            background: $accent 8%;
        }
        &.-maximized { height: 1fr; }
        .why { color: $warning; }
        .muted { color: $text-muted; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = self.TITLE
        self._view: V | None = None  # what the pane was last given
        self._drawn: V | None = None  # what it last drew
        self._drawn_size: tuple[object, ...] = ()
        self._stale = ""  # "stale: no data for 9 s" while a probe it draws from is silent
        self._scope = ""  # "pid 4242 gzip": the process of the tree the pane shows

    def on_mount(self) -> None:
        # What of this pane a picked process does not have (the target's only): first line.
        self.mount(Line(id="scope-note", classes="why wrap"), before=0)

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE

    @property
    def shown(self) -> bool:
        """False while another pane is zoomed over this one."""
        zoomed = self.screen.maximized
        return zoomed is None or zoomed is self

    def select(self, snap: Snapshot) -> V:
        raise NotImplementedError

    def draw(self, view: V) -> None:
        raise NotImplementedError

    def update_snapshot(self, snap: Snapshot) -> None:
        self._view = self.select(snap)
        stale = "; ".join(f"stale{'' if p.name == 'procfs' else f' ({p.name})'}: {p.msg}"
                          for p in snap.header.probes
                          if p.state == STALE and p.name in self.SOURCES)
        scope = f"pid {snap.focus.pid}" if snap.focus is not None else ""
        changed = stale != self._stale or scope != self._scope
        self._stale, self._scope = stale, scope
        self.redraw(force=changed)

    def redraw(self, *, force: bool = False) -> None:
        view = self._view
        size = (self.size, *(t.size for t in self.query(RowTable)))
        if view is None or not self.shown:
            return
        if not force and view == self._drawn and size == self._drawn_size:
            return
        self._drawn, self._drawn_size = view, size
        self.border_title = self.TITLE  # draw may say more; the stale mark goes first below
        self.draw(view)
        note = str(getattr(view, "scope_note", "") or "")
        for line in self.query("#scope-note").results(Line):
            line.display = bool(note)
            line.show(note)
        if self._scope:  # a picked process, not the whole tree: in the title, always
            self.border_title = f"{self.border_title} · {self._scope}"
        if self._stale:  # first in the title: figures that stopped coming must not pass as now
            self.border_title = f"⏸ {self._stale} · {self.border_title}"

    def on_resize(self, event: events.Resize) -> None:
        # Zoom and terminal resizes change how many rows and how much history fit.
        self.call_after_refresh(self.redraw)

    def on_row_table_resized(self, event: RowTable.Resized) -> None:
        event.stop()
        self.call_after_refresh(self.redraw)
