"""A small picker shown when several processes match ``perftui -n NAME``."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from perftui.host.target import Candidate
from perftui.ui.signals import exit_on_signals


class ChooserApp(App[int | None]):
    BINDINGS = [Binding("escape,q", "quit_without", "cancel")]

    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__()
        self._candidates = candidates

    def on_mount(self) -> None:
        exit_on_signals(self)

    def compose(self) -> ComposeResult:
        yield Static(f"{len(self._candidates)} processes match: pick one (enter), esc cancels")
        yield OptionList(*(Option(f"{c.pid:>7}  {c.user:<10} {c.command[:120]}", id=str(c.pid))
                           for c in self._candidates))
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.exit(int(event.option.id or 0) or None)

    def action_quit_without(self) -> None:
        self.exit(None)


def choose_process(candidates: list[Candidate]) -> int | None:
    return ChooserApp(candidates).run()
