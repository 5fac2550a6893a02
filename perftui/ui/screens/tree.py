"""The process tree (``T``, or a click on the header's process count): the target and every
descendant perftui follows, live ones with CPU, RSS and threads, ended ones with how they
ended and how long they lived; children below their parents.  ``enter`` on a row shows that
process in every pane (``escape`` there: the whole tree again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content

from perftui.ui.screens.panel import SnapshotPanel
from perftui.units import NA, fmt_bytes, fmt_count, fmt_duration, fmt_percent
from perftui.views.snapshot import Snapshot
from perftui.views.tree import ProcRow, TreeView

NOT_FOLLOWED = ("Only the target is watched: its descendants are followed for a command "
                "perftui starts, or with -p PID --children.")


def _life(seconds: float | None) -> str:
    if seconds is None:
        return NA
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else fmt_duration(seconds)


WIDE = 110  # from this width on, the threads and syscalls columns too


def row_line(r: ProcRow, command_w: int, wide: bool, picked: bool = False) -> Content:
    indent = "  " * min(r.depth, 8) + ("└ " if r.depth else "")
    command = (indent + r.command)[:command_w]
    how = "running" if r.alive else r.ended
    status_style = "$success" if r.alive else "$error" if "signal" in how or (
        how.startswith("exit ") and how != "exit 0") else "$text-muted"
    extra = (f"{fmt_count(r.threads) if r.threads else '':>5}"
             f"{fmt_count(r.syscalls) if r.syscalls is not None else NA:>10}") if wide else ""
    line = Content.assemble(
        (f"{r.pid:>8} ", "bold"), (f"{command:<{command_w}}", "" if r.alive else "$text-muted"),
        f"{fmt_percent(r.cpu_percent) if r.alive else '':>8}",
        f"{fmt_bytes(r.rss) if r.rss is not None else '':>11}", extra,
        (f"  {how[:20]:<20}" if wide else f"  {how[:12]:<12}", status_style),
        f"{_life(r.life_s) if r.depth else '':>9}")
    return line.stylize("reverse") if picked else line


def tree_text(view: TreeView, width: int, cursor: int = -1) -> Content:
    if not view.followed:
        return Content.styled(NOT_FOLLOWED, "$text-muted")
    wide = width >= WIDE
    fixed = 8 + 1 + 8 + 11 + (15 + 22 if wide else 14) + 9
    command_w = max(12, width - fixed)
    extra = f"{'THR':>5}{'SYSCALLS':>10}" if wide else ""
    status = f"  {'STATUS':<20}" if wide else f"  {'STATUS':<12}"
    head = Content.styled(f"{'PID':>8} {'COMMAND':<{command_w}}{'CPU':>8}{'RSS':>11}{extra}"
                          f"{status}{'LIVED':>9}", "$text-muted")
    return Content("\n").join([head, *(row_line(r, command_w, wide, i == cursor)
                                       for i, r in enumerate(view.rows))])


class TreeScreen(SnapshotPanel):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,T", "close", "Back"),
        # priority: the scrolling panel, focused once the tree overflows it, has its own
        Binding("up,k", "move(-1)", "Up", show=False, priority=True),
        Binding("down,j", "move(1)", "Down", show=False, priority=True),
        Binding("pageup", "move(-10)", "Page up", show=False, priority=True),
        Binding("pagedown", "move(10)", "Page down", show=False, priority=True),
        Binding("home", "move(-1000000)", "First", show=False, priority=True),
        Binding("end", "move(1000000)", "Last", show=False, priority=True),
        Binding("enter", "pick", "Show in the panes", priority=True),
    ]

    def __init__(self, snapshot: Snapshot | None,
                 pick: Callable[[int | None], None] | None = None,
                 picked: int | None = None) -> None:
        super().__init__(snapshot)
        self._pick = pick
        self._pid = picked  # the row under the cursor, by pid: rows move as processes come
        self._cursor = 0

    @property
    def _view(self) -> TreeView:
        return self._snap.tree if self._snap is not None else TreeView(False)

    def redraw(self) -> None:
        box = self.box
        view = self._view
        pids = [r.pid for r in view.rows]
        self._cursor = pids.index(self._pid) if self._pid in pids else min(
            self._cursor, max(0, len(pids) - 1))
        box.border_title = (f"Processes · {len(view.rows)} seen, {view.alive} running"
                            if view.followed else "Processes")
        box.border_subtitle = "enter: show it in the panes · escape back"
        # (less the vertical scroll bar, which the long tree of a busy parent shows)
        self.body.update(tree_text(view, (box.content_size.width or 100) - 2,
                                   self._cursor if view.rows else -1))
        line = self._cursor + 1  # (under the column heads)
        if line < box.scroll_y + 1:
            box.scroll_to(y=max(0, line - 1), animate=False)
        elif line >= box.scroll_y + box.scrollable_content_region.height:
            box.scroll_to(y=line - box.scrollable_content_region.height + 1, animate=False)

    def action_move(self, by: int) -> None:
        rows = self._view.rows
        if not rows:
            return
        self._cursor = max(0, min(len(rows) - 1, self._cursor + by))
        self._pid = rows[self._cursor].pid
        self.redraw()

    def action_pick(self) -> None:
        rows = self._view.rows
        if rows and self._pick is not None:
            row = rows[min(self._cursor, len(rows) - 1)]
            self._pick(None if row.depth == 0 else row.pid)
        self.dismiss()
