"""The Textual app: frames from a Source into the Model, Snapshots out to the panes.

Threading: the source calls the sink from its own thread(s).  The sink folds the frame into
the model under a lock and posts at most one pending ``ModelChanged`` to the app; the app
builds one frozen Snapshot per refresh under the same lock and hands it to each pane.  Panes
never see the model, so nothing they do can race a probe thread.

A live view can record what it receives to a session file (``r``, perftui.recording).  A
ReplaySource gets the ReplayApp (perftui.replay_keys): the same app plus a timeline bar and
the replay's keys.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Footer

from perftui.model import Model, SchemaError, Snapshot, build_snapshot
from perftui.recording import LiveRecording, default_path, header_from
from perftui.screens.help import HelpScreen
from perftui.session.format import SessionError
from perftui.session.recorder import SessionRecorder
from perftui.sources.base import Frame, Source
from perftui.themes import DEFAULT_THEME, THEME_NAMES, load_themes
from perftui.widgets.cpu import CpuPane
from perftui.widgets.fileio import FileIOPane
from perftui.widgets.header import AppState, HeaderBar
from perftui.widgets.memory import MemoryPane
from perftui.widgets.network import NetPane
from perftui.widgets.pane import Pane
from perftui.widgets.syscalls import SyscallPane

COALESCE_S = 0.05  # frames of a live source this close together make one refresh
INTERVAL_STEPS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


def step_interval(current: float, direction: int) -> float:
    """The next step up (+1) or down (-1) from ``current``, clamped to 0.1..60 s."""
    if direction > 0:
        bigger = [s for s in INTERVAL_STEPS if s > current + 1e-9]
        return bigger[0] if bigger else INTERVAL_STEPS[-1]
    smaller = [s for s in INTERVAL_STEPS if s < current - 1e-9]
    return smaller[-1] if smaller else INTERVAL_STEPS[0]


class ModelChanged(Message):
    """New frames were folded into the model since the last refresh."""


class PerftuiApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "perftui"
    ENABLE_COMMAND_PALETTE = False
    ESCAPE_TO_MINIMIZE = False  # escape is ours: it un-zooms and keeps panes in step
    ALLOW_IN_MAXIMIZED_VIEW = "HeaderBar, Footer"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        # Escape then q typed quickly reaches us as alt+q (ESC prefix): still a quit.
        Binding("alt+q", "quit", "Quit", show=False),
        Binding("space,p", "toggle_pause", "Pause", key_display="space"),
        Binding("plus", "interval(1)", "Slower", key_display="+"),
        Binding("minus", "interval(-1)", "Faster", key_display="-"),
        Binding("r", "record", "Record"),
        Binding("enter", "open", "Details"),
        Binding("z", "zoom", "Zoom"),
        Binding("escape", "unzoom", "Back", show=False),
        # in the help, not the footer: at 80 columns the footer keeps the keys above
        Binding("t", "next_theme", "Theme", show=False),
        Binding("f", "hot", "Hot functions", show=False),
        Binding("d", "syscall_detail", "Syscall detail", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(self, source: Source, interval: float, theme: str = DEFAULT_THEME,
                 record_to: SessionRecorder | None = None) -> None:
        super().__init__()
        self.source = source
        self.recording = LiveRecording()
        if record_to is not None:
            self.recording.start(record_to)  # before the first frame: the whole session
        self._rec_error = ""
        self.recorded: list[str] = []  # files recorded and closed, in order
        self.interval = interval
        self.model = Model()
        self.lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.paused = False
        self.refreshes = 0  # how many snapshots were drawn (tests watch it)
        self._pending = False
        self._error = ""
        self._panes: list[Pane[object]] = []
        for t in load_themes().values():
            self.register_theme(t)
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.interval)
        with Grid(id="panes"):
            yield CpuPane(id="cpu")
            yield MemoryPane(id="memory")
            yield FileIOPane(id="fileio")
            yield NetPane(id="net")
            yield SyscallPane(id="syscalls")
        yield from self.compose_bottom()
        yield Footer(compact=True)

    def compose_bottom(self) -> ComposeResult:
        """Bars between the panes and the footer (a replay's timeline)."""
        yield from ()

    @property
    def panes(self) -> list[Pane[object]]:
        if not self._panes:
            self._panes = list(self.query(Pane))
        return self._panes

    # -- frames in (any thread) ---------------------------------------------------------
    def sink(self, stream: str, raw: bytes, frame: Frame) -> None:
        with self.lock:
            try:
                self.model.apply(stream, frame)
            except SchemaError as exc:
                self._error = str(exc)
            except Exception as exc:  # a malformed frame must not take the UI down
                self._error = f"bad {stream} {frame.get('k', '?')} frame: {exc!r}"
            self.recording.see(stream, raw, frame)
            if self._pending:
                return
            self._pending = True
        self.post_message(ModelChanged())

    # -- snapshots out (UI thread) ------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one(CpuPane).focus()
        if self.interval != self.source.interval:
            self.source.set_interval(self.interval)
        self.set_interval(1.0, self._show_recording)
        self.source.start(self.sink)

    def on_unmount(self) -> None:
        self.source.stop()
        self.stop_recording()

    def on_model_changed(self, _: ModelChanged) -> None:
        # A live source delivers each interval as a burst (sample, then perftui's own `self`
        # frame a moment later): wait a little so the burst is drawn once, not twice.
        if self.source.live:
            self.set_timer(COALESCE_S, self._take_pending)
        else:
            self._take_pending()

    def _take_pending(self) -> None:
        if not self.screen_stack:  # a coalescing timer that fires while the app shuts down
            return
        with self.lock:
            self._pending = False
            if self.paused:
                return
        self.refresh_now()

    def show_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = snap
        if self.screen is not self.screen_stack[0]:
            return  # under the help screen: draw when it closes
        self.refreshes += 1
        self._show_state()
        self.query_one(HeaderBar).update_view(snap.header)
        for pane in self.panes:
            pane.update_snapshot(snap)

    def _show_state(self) -> None:
        self.query_one(HeaderBar).set_state(self.app_state())

    def app_state(self) -> AppState:
        with self.lock:
            failed = self.recording.failed()
        if failed is not None:  # disk full: what was written so far stays readable
            self._rec_error = f"{failed.error} ({failed.path})"
            failed.close()
        rec = self.recording.recorder
        return AppState(self.interval, self.paused, self._error or self._rec_error,
                        recording=rec.path if rec is not None else "",
                        recorded=rec.size if rec is not None else 0)

    def _show_recording(self) -> None:
        if self.recording.active:  # the file's size, also while the display is paused
            self._show_state()

    def refresh_now(self) -> None:
        with self.lock:
            try:
                snap = build_snapshot(self.model)
            except Exception as exc:  # odd data: keep the last good view on screen
                self._error = f"cannot build the view: {exc!r}"
                self._show_state()
                return
        self.show_snapshot(snap)

    # -- keys ---------------------------------------------------------------------------
    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            self._show_state()
        else:
            self.refresh_now()  # catch up with what arrived while paused

    def action_interval(self, direction: int) -> None:
        new = step_interval(self.interval, direction)
        if new != self.interval:
            self.interval = new
            self.source.set_interval(new)
        self._show_state()

    def action_record(self) -> None:
        if self.recording.active:
            path = self.stop_recording()
            self.notify(f"Recorded to {path}", title="Recording stopped")
        else:
            self.start_recording()
        self._show_state()

    def start_recording(self, path: str | None = None) -> None:
        """Record from now to a new file (default: perftui-HOST-PID-TIME.perftui here)."""
        with self.lock:
            pid = self.model.pid
            header = header_from(self.model, self.source.description, self.interval)
        if pid is None:
            self.notify("Nothing to record yet: no frame from the target.", severity="warning")
            return
        try:
            recorder = SessionRecorder(path or default_path(pid), header)
        except SessionError as exc:
            self.notify(str(exc), title="Cannot record", severity="error")
            return
        with self.lock:  # the prologue, then the next frame: nothing falls in between
            self.recording.start(recorder)
        self._rec_error = ""

    def stop_recording(self) -> str | None:
        """Stop and close the recording (flushed, its index written); its path, or None."""
        with self.lock:
            recorder = self.recording.stop()
        if recorder is None:
            return None
        recorder.close()
        self.recorded.append(recorder.path)
        if recorder.error:
            self._rec_error = f"{recorder.error} ({recorder.path})"
        return recorder.path

    def action_open(self) -> None:
        """Enter: the focused pane's drill-down.  CPU: hot functions; Syscalls: the
        highlighted syscall's detail; the others have none beyond their zoom."""
        focused = self.focused
        if isinstance(focused, CpuPane):
            self.action_hot()
        elif isinstance(focused, SyscallPane):
            focused.action_detail()
        else:
            self.action_zoom()

    def action_zoom(self) -> None:
        focused = self.focused
        pane = focused if isinstance(focused, Pane) else None
        if pane is not None and self.screen.maximized is None:
            self.screen.maximize(pane, container=False)
        elif self.screen.maximized is not None:
            self.action_unzoom()  # z again: back to all panes

    def action_syscall_detail(self) -> None:
        self.query_one(SyscallPane).action_detail()

    def action_unzoom(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
            for pane in self.panes:
                pane.redraw()  # panes hidden during the zoom catch up

    def action_next_theme(self) -> None:
        names = [n for n in THEME_NAMES if n in self.available_themes]
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(self.help_screen(), callback=self._after_help)

    def action_hot(self) -> None:
        from perftui.screens.hot import HotScreen  # stack views: loaded when first asked for

        if not isinstance(self.screen, HotScreen):
            self.push_screen(HotScreen(), callback=self._after_help)  # panes catch up after

    def help_screen(self) -> HelpScreen:
        return HelpScreen()

    def _after_help(self, _: None) -> None:
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)


def create_app(source: Source, *, interval: float | None = None, theme: str | None = None,
               record_to: SessionRecorder | None = None) -> PerftuiApp:
    """The app as the CLI and the tests build it.  Unknown themes fail before any drawing.
    ``record_to``: record the session from its first frame."""
    theme = theme or DEFAULT_THEME
    themes = load_themes()
    if theme not in themes:
        raise ValueError(f"unknown theme {theme!r}; available: {', '.join(themes)}")
    interval = interval if interval is not None else source.interval
    from perftui.replay_keys import ReplayApp  # it subclasses this module's app
    from perftui.sources.replay import ReplaySource

    if isinstance(source, ReplaySource):
        return ReplayApp(source, interval, theme)
    return PerftuiApp(source, interval, theme, record_to)
