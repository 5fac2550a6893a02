"""The process tree (``T``, or a click on the header's process count): the target and every
descendant perftui follows, live ones with CPU, RSS and threads, ended ones with how they
ended and how long they lived; children below their parents."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from perftui.units import NA, fmt_bytes, fmt_count, fmt_duration, fmt_percent
from perftui.views.snapshot import Snapshot
from perftui.views.tree import ProcRow, TreeView

NOT_FOLLOWED = ("Only the target is watched: its descendants are followed for a command "
                "perftui starts, or with -p PID --children.")


def _life(seconds: float | None) -> str:
    if seconds is None:
        return NA
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else fmt_duration(seconds)


def row_line(r: ProcRow, command_w: int) -> Content:
    indent = "  " * min(r.depth, 8) + ("└ " if r.depth else "")
    command = (indent + r.command)[:command_w]
    how = "running" if r.alive else r.ended
    status_style = "$success" if r.alive else "$error" if "signal" in how or (
        how.startswith("exit ") and how != "exit 0") else "$text-muted"
    return Content.assemble(
        (f"{r.pid:>8} ", "bold"), (f"{command:<{command_w}}", "" if r.alive else "$text-muted"),
        f"{fmt_percent(r.cpu_percent) if r.alive else '':>8}",
        f"{fmt_bytes(r.rss) if r.rss is not None else '':>11}",
        f"{fmt_count(r.threads) if r.threads else '':>5}",
        f"{fmt_count(r.syscalls) if r.syscalls is not None else NA:>10}",
        (f"  {how:<20}", status_style), f"{_life(r.life_s) if r.depth else '':>9}")


def tree_text(view: TreeView, width: int) -> Content:
    if not view.followed:
        return Content.styled(NOT_FOLLOWED, "$text-muted")
    command_w = max(16, width - 8 - 1 - 8 - 11 - 5 - 10 - 22 - 9)
    head = Content.styled(
        f"{'PID':>8} {'COMMAND':<{command_w}}{'CPU':>8}{'RSS':>11}{'THR':>5}{'SYSCALLS':>10}"
        f"  {'STATUS':<20}{'LIVED':>9}", "$text-muted")
    return Content("\n").join([head, *(row_line(r, command_w) for r in view.rows)])


class TreeScreen(ModalScreen[None]):  # modal: the app's keys do not apply here
    DEFAULT_CSS = """
    TreeScreen {
        background: $background;
        #tree { border: round $accent; border-title-color: $accent; padding: 0 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,T", "close", "Back"),
        Binding("q,alt+q", "app.quit", "Quit"),
    ]

    def __init__(self, snapshot: Snapshot | None) -> None:
        super().__init__()
        self._snap = snapshot

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="tree"):
            yield Static(id="tree-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.redraw()

    def update_snapshot(self, snap: Snapshot) -> None:
        self._snap = snap
        self.redraw()

    def redraw(self) -> None:
        box = self.query_one("#tree", VerticalScroll)
        view = self._snap.tree if self._snap is not None else TreeView(False)
        live = view.alive
        box.border_title = (f"Processes · {len(view.rows)} seen, {live} running"
                            if view.followed else "Processes")
        box.border_subtitle = "escape back"
        self.query_one("#tree-body", Static).update(
            tree_text(view, box.content_size.width or 100))

    def action_close(self) -> None:
        self.dismiss()
