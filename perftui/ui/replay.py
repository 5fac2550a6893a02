"""The app on a ReplaySource: the same panes, plus the timeline bar and the replay's keys.

Its bindings replace the live ones on the same keys (space plays and pauses the replay instead
of freezing the display; ``+``/``-`` and ``r`` mean nothing in a replay) and add the moves.
Controls return at once (the source's player thread carries them out): the timeline is redrawn
now for what changed at once (play state, speed) and again with the refresh a move brings.
Moving back replaces the feed's model (``on_reset``, called from the player thread, queued
after the frames before it).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from perftui.model import Model
from perftui.sources.base import Replay
from perftui.ui.app import PerftuiApp
from perftui.ui.screens.goto import GotoScreen
from perftui.ui.screens.help import HelpScreen
from perftui.ui.widgets.header import AppState
from perftui.ui.widgets.timeline import TimelineBar
from perftui.views.snapshot import Snapshot

TIMELINE_S = 0.25  # the timeline follows playback at least this often (between refreshes)
JUMP_S = 10.0

# (keys, what they do) for the help screen: every binding below is here.
KEYS: tuple[tuple[str, str], ...] = (
    ("space, p", "play / pause the replay"),
    ("left, right", "one sample back / forward (pauses)"),
    ("shift+left, shift+right", f"{JUMP_S:g} seconds back / forward"),
    ("home, end", "the start / the end of the recording"),
    ("[, ]", "slower / faster: 1x 2x 10x max"),
    ("g", "go to a time: 90, 5m, 12:30, -30 (from the end), @14:03 (clock)"),
)


class ReplayApp(PerftuiApp):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,p", "play_pause", "Play/pause", key_display="space"),
        Binding("left", "step(-1)", "Step back", show=False),
        Binding("right", "step(1)", "Step", key_display="←→"),
        Binding("shift+left", f"jump({-JUMP_S})", f"-{JUMP_S:g} s", show=False),
        Binding("shift+right", f"jump({JUMP_S})", f"+{JUMP_S:g} s", show=False),
        Binding("home", "home", "Start", show=False),
        Binding("end", "end", "End", show=False),
        Binding("left_square_bracket", "speed(-1)", "Slower", show=False),
        Binding("right_square_bracket", "speed(1)", "Speed", key_display="[]"),
        Binding("g", "goto", "Go to"),
        Binding("plus,minus", "no_interval", "Interval", show=False),
        Binding("r", "no_record", "Record", show=False),
    ]

    def __init__(self, source: Replay, interval: float, theme: str) -> None:
        super().__init__(source, interval, theme)
        self.replay = source
        source.on_reset = self._on_reset

    def compose_bottom(self) -> ComposeResult:
        yield TimelineBar()  # under the panes, above the footer

    def on_mount(self) -> None:
        # Textual runs this, then PerftuiApp.on_mount (which starts the source).
        self._show_timeline()
        self.set_interval(TIMELINE_S, self._show_timeline)

    def _on_reset(self, model: Model) -> None:
        """The replay moved back or far ahead: its model, built up to there, replaces the
        feed's, in order with the frames (the player's thread calls this)."""
        self.feed.reset(model)

    # -- drawing -------------------------------------------------------------------------
    def show_snapshot(self, snap: Snapshot) -> None:
        super().show_snapshot(snap)
        self._show_timeline()

    def app_state(self) -> AppState:
        state = super().app_state()
        return AppState(state.interval, error=state.error, replay=self.replay.path,
                        warnings=tuple(self.replay.warnings))

    def _show_timeline(self) -> None:
        if self.screen is self.screen_stack[0]:
            # query, not query_one: while the app shuts down the timer can still fire after
            # the bar is gone, and there is then nothing to draw.
            for bar in self.query(TimelineBar):
                bar.show_position(self.replay.position)

    def help_screen(self) -> HelpScreen:
        return HelpScreen(replay_keys=KEYS)

    # -- keys ----------------------------------------------------------------------------
    def action_play_pause(self) -> None:
        self.replay.toggle()
        self._show_timeline()

    def action_step(self, direction: int) -> None:
        self.replay.step(direction)
        self._show_timeline()

    def action_jump(self, seconds: float) -> None:
        self.replay.jump(seconds)

    def action_home(self) -> None:
        self.replay.home()

    def action_end(self) -> None:
        self.replay.end()

    def action_speed(self, direction: int) -> None:
        if direction > 0:
            self.replay.faster()
        else:
            self.replay.slower()
        self._show_timeline()

    def action_goto(self) -> None:
        pos = self.replay.position
        self.push_screen(GotoScreen(pos.start_ts, pos.length_s, pos.offset_s),
                         callback=self._go)

    def _go(self, offset: float | None) -> None:
        if offset is not None:
            self.replay.seek_offset(offset)
        if self.snapshot is not None:  # panes skipped refreshes while the prompt was up
            self.show_snapshot(self.snapshot)

    def action_no_interval(self) -> None:
        self.notify("A replay keeps its recorded interval: [ and ] change the speed.",
                    title="Replay")

    def action_no_record(self) -> None:
        self.notify("This is a recording already: perftui export writes it in other "
                    "formats.", title="Replay")
