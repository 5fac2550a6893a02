"""The Textual app: frames from a Source through the tee into the Feed, Snapshots to the panes.

Threading: the source calls the tee's sink from its own thread(s); the tee records (``r``) and
hands each frame to the feed (perftui.feed), the one owner of the model, which applies it on
its own thread and publishes a frozen Snapshot at most every 50 ms.  The app posts it to
itself (``SnapshotReady``, replaceable: a late one is dropped for a newer) and hands it to each
pane.  Nothing here holds a lock the feed takes; what a screen needs beyond the Snapshot it
asks through ``feed.read``.

A ReplaySource gets the ReplayApp (perftui.ui.replay): the same app plus a timeline bar and
the replay's keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Footer

from perftui.feed import Feed
from perftui.findings import Finding
from perftui.model import Model
from perftui.session.format import SessionError
from perftui.session.recorder import SessionRecorder
from perftui.session.tee import Tee, default_path, header_from
from perftui.sources.base import FrameSource, ProbeControl, Transport
from perftui.ui.screens.findings import FindingsScreen
from perftui.ui.screens.help import HelpScreen
from perftui.ui.screens.panel import SnapshotPanel
from perftui.ui.screens.syscall_detail import SyscallDetailScreen
from perftui.ui.screens.tree import TreeScreen
from perftui.ui.signals import exit_on_signals
from perftui.ui.themes import DEFAULT_THEME, THEME_NAMES, load_themes
from perftui.ui.widgets.cpu import CpuPane
from perftui.ui.widgets.fileio import FileIOPane
from perftui.ui.widgets.header import AppState, HeaderBar
from perftui.ui.widgets.memory import MemoryPane
from perftui.ui.widgets.network import NetPane
from perftui.ui.widgets.pane import Pane
from perftui.ui.widgets.syscalls import SyscallPane
from perftui.views.findings import evidence_target
from perftui.views.snapshot import Snapshot

COALESCE_S = 0.05  # frames of a live source this close together make one refresh
INTERVAL_STEPS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


def step_interval(current: float, direction: int) -> float:
    """The next step up (+1) or down (-1) from ``current``, clamped to 0.1..60 s."""
    if direction > 0:
        bigger = [s for s in INTERVAL_STEPS if s > current + 1e-9]
        return bigger[0] if bigger else INTERVAL_STEPS[-1]
    smaller = [s for s in INTERVAL_STEPS if s < current - 1e-9]
    return smaller[-1] if smaller else INTERVAL_STEPS[0]


class SnapshotReady(Message):
    """The feed published a new Snapshot (only the newest pending one is kept)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotReady)


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
        Binding("T", "tree", "Processes", show=False),
        Binding("exclamation_mark", "findings", "Findings", key_display="!"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(self, source: FrameSource, interval: float, theme: str = DEFAULT_THEME,
                 record_to: SessionRecorder | None = None) -> None:
        super().__init__()
        self.source = source
        # A live source's probes take commands; a replay's frames are what they are.
        self.control = source if isinstance(source, ProbeControl) else None
        # Live: a burst of frames (a sample, then perftui's own frame) drawn once, not twice.
        self.feed = Feed(self._published, coalesce_s=COALESCE_S if source.live else 0.0)
        self.recording = Tee(self.feed.sink)  # the tee in front of the feed
        if record_to is not None:
            self.recording.start(record_to)  # before the first frame: the whole session
        self._rec_error = ""
        self.recorded: list[str] = []  # files recorded and closed, in order
        self.interval = interval
        self.snapshot: Snapshot | None = None
        self.paused = False
        self.refreshes = 0  # how many snapshots were drawn (tests watch it)
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

    # -- frames in: the source -> the tee -> the feed (their threads) --------------------
    def _published(self, snap: Snapshot) -> None:
        """The feed's thread: a new Snapshot, for the UI thread."""
        self.post_message(SnapshotReady(snap))

    @property
    def model(self) -> Model:
        """The feed's model, for tests that first wait for the feed (``feed.wait_idle``).
        Screens never read it: they get Snapshots, or ask ``feed.read``."""
        return self.feed.model

    # -- snapshots out (UI thread) ------------------------------------------------------
    def on_mount(self) -> None:
        exit_on_signals(self)  # SIGTERM, SIGHUP: like q (terminal restored, files closed)
        self.query_one(CpuPane).focus()
        if self.control is not None and self.interval != self.source.interval:
            self.control.set_interval(self.interval)
        self.set_interval(1.0, self._show_recording)
        self.feed.start()
        # A replay goes straight to the feed: its frames are a recording already.
        replay = isinstance(self.source, Transport)
        self.source.start(self.feed.sink if replay else self.recording.sink)

    def on_unmount(self) -> None:
        self.source.stop()
        self.feed.stop()
        self.stop_recording()

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        if not self.screen_stack or self.paused:  # shutting down; paused: draw on resume
            return
        try:
            self.show_snapshot(message.snapshot)
        except NoMatches:  # posted by the feed as the app shut down: its panes are gone
            pass

    def show_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = snap
        if isinstance(self.screen, SnapshotPanel):
            self.screen.update_snapshot(snap)  # the detail follows; the panes catch up after
        if self.screen is not self.screen_stack[0]:
            return  # under the help screen: draw when it closes
        self.refreshes += 1
        self._show_state()
        self.query_one(HeaderBar).update_view(snap.header)
        self.query_one(HeaderBar).update_findings(snap.findings)
        for pane in self.panes:
            pane.update_snapshot(snap)

    def on_syscall_pane_detail_asked(self, message: SyscallPane.DetailAsked) -> None:
        self.push_screen(SyscallDetailScreen(message.syscall, self.snapshot),
                         callback=self._after_help)

    def _show_state(self) -> None:
        self.query_one(HeaderBar).set_state(self.app_state())

    def app_state(self) -> AppState:
        failed = self.recording.failed()
        if failed is not None:  # disk full: what was written so far stays readable
            self._rec_error = f"{failed.error} ({failed.path})"
            failed.close()
        rec = self.recording.recorder
        return AppState(self.interval, self.paused, self.feed.error or self._rec_error,
                        recording=rec.path if rec is not None else "",
                        recorded=rec.size if rec is not None else 0)

    def _show_recording(self) -> None:
        if self.recording.active:  # the file's size, also while the display is paused
            self._show_state()

    def refresh_now(self) -> None:
        """Draw the newest Snapshot now, and ask the feed for a fresh one."""
        if self.feed.latest is not None:
            self.show_snapshot(self.feed.latest)
        self.feed.publish_now()

    # -- keys ---------------------------------------------------------------------------
    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.feed.paused = self.paused  # no snapshots built while nobody looks
        if self.paused:
            self._show_state()
        else:
            self.refresh_now()  # catch up with what arrived while paused

    def action_interval(self, direction: int) -> None:
        new = step_interval(self.interval, direction)
        if new != self.interval:
            self.interval = new
            if self.control is not None:
                self.control.set_interval(new)
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
        label, interval = self.source.description, self.interval
        pid, header = self.feed.read(lambda m: (m.pid, header_from(m, label, interval)))
        if pid is None:
            self.notify("Nothing to record yet: no frame from the target.", severity="warning")
            return
        try:
            recorder = SessionRecorder(path or default_path(pid), header)
        except SessionError as exc:
            self.notify(str(exc), title="Cannot record", severity="error")
            return
        self.recording.start(recorder)  # the prologue, then the next frame: none between
        self._rec_error = ""
        self._short_chunks(True)

    def _short_chunks(self, on: bool) -> None:
        """Short py-spy chunks while recording: a chunk's samples are placed in time by
        the chunk, so a report window (--from/--to) is only as sharp as the chunks are short
        (2 s instead of up to PYSPY_MAX_CHUNK_S; one py-spy start more per 2 s)."""
        if self.control is not None and self.source.live:
            self.control.command("pyspy", f"fresh {'on' if on else 'off'} record")

    def stop_recording(self) -> str | None:
        """Stop and close the recording (flushed, its index written); its path, or None."""
        recorder = self.recording.stop()
        if recorder is None:
            return None
        self._short_chunks(False)
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

    def action_tree(self) -> None:
        if not isinstance(self.screen, TreeScreen):
            self.push_screen(TreeScreen(self.snapshot, self.pick_process, self.feed.focus),
                             callback=self._after_help)

    def action_findings(self) -> None:
        if not isinstance(self.screen, FindingsScreen):
            self.push_screen(FindingsScreen(self.snapshot, self.show_evidence),
                             callback=self._after_help)

    def show_evidence(self, finding: Finding) -> None:
        """``enter`` on a finding: the pane that shows its evidence, zoomed, or the detail
        of its syscall."""
        where, syscall = evidence_target(finding)
        if where == "syscall" and syscall:
            self.push_screen(SyscallDetailScreen(syscall, self.snapshot),
                             callback=self._after_help)
            return
        pane = self.query_one(f"#{where}", Pane)
        pane.focus()
        if self.screen.maximized is not pane:
            self.screen.maximize(pane, container=False)

    def pick_process(self, pid: int | None) -> None:
        """Show process ``pid`` of the followed tree in every pane (None: the whole tree)."""
        self.feed.focus = pid
        self.feed.publish_now()

    def action_syscall_detail(self) -> None:
        self.query_one(SyscallPane).action_detail()

    def action_unzoom(self) -> None:
        """Escape: out of a zoom; else from a picked process back to the whole tree."""
        if self.screen.maximized is not None:
            self.screen.minimize()
            for pane in self.panes:
                pane.redraw()  # panes hidden during the zoom catch up
        elif self.feed.focus is not None:
            self.pick_process(None)

    def action_next_theme(self) -> None:
        names = [n for n in THEME_NAMES if n in self.available_themes]
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(self.help_screen(), callback=self._after_help)

    def action_hot(self) -> None:
        from perftui.ui.screens.hot import HotScreen  # stack views: loaded when first asked for

        if not isinstance(self.screen, HotScreen):
            self.push_screen(HotScreen(), callback=self._after_help)  # panes catch up after

    def help_screen(self) -> HelpScreen:
        return HelpScreen()

    def _after_help(self, _: None) -> None:
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)
