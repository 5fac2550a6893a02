"""A full-screen panel that follows the app's snapshots: the base of the drill-downs that
show one scrolling text (the syscall detail, the process tree)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from perftui.views.snapshot import Snapshot


class SnapshotPanel(ModalScreen[None]):  # modal: the app's keys do not apply here
    DEFAULT_CSS = """
    SnapshotPanel {
        background: $background;
        #panel { border: round $accent; border-title-color: $accent; padding: 0 1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q,alt+q", "app.quit", "Quit")]

    def __init__(self, snapshot: Snapshot | None) -> None:
        super().__init__()
        self._snap = snapshot

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="panel"):
            yield Static(id="panel-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.redraw()

    def update_snapshot(self, snap: Snapshot) -> None:
        """Each new Snapshot the app draws reaches the screen on top too."""
        self._snap = snap
        if self.is_attached:  # (a screen being dismissed has no panel left to draw in)
            self.redraw()

    @property
    def box(self) -> VerticalScroll:
        return self.query_one("#panel", VerticalScroll)

    @property
    def body(self) -> Static:
        return self.query_one("#panel-body", Static)

    def redraw(self) -> None:
        """Draw ``self._snap`` into ``body`` (and the box's titles)."""

    def action_close(self) -> None:
        self.dismiss()
