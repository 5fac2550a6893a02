"""The help screen: every key, what it does, and how to read the numbers."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

# (keys, what they do): the single list the help screen and its test read.
KEYS: tuple[tuple[str, str], ...] = (
    ("q", "quit (the target keeps running)"),
    ("space, p", "pause / resume the display; data keeps coming in"),
    ("+", "longer interval: 0.1 0.2 0.5 1 2 5 10 30 60 s"),
    ("-", "shorter interval (faster refresh)"),
    ("r", "start / stop recording to perftui-HOST-PID-TIME.perftui"),
    ("tab, shift+tab", "focus the next / previous pane"),
    ("enter", "details of the focused pane: CPU opens hot functions, Syscalls the "
     "highlighted syscall; the others zoom"),
    ("up, down", "Syscalls pane: highlight a syscall"),
    ("z", "zoom the focused pane: more rows and history (z or escape: back)"),
    ("escape", "leave the zoom; from a picked process back to the whole tree; close help"),
    ("f", "hot functions: top functions and a flame graph of the stack samples"),
    ("d", "syscall detail: latency histogram, errors by errno, split by thread"),
    ("T", "process tree: the target and its children (enter: show one in every pane)"),
    ("!", "findings: the problems found, with evidence and the usual fix (enter: evidence)"),
    ("t", "next theme: dark, light, high contrast"),
    ("?", "this help"),
)

# The hot-functions screen's own keys (perftui.ui.screens.hot, perftui.ui.widgets.flame).
HOT_KEYS: tuple[tuple[str, str], ...] = (
    ("s, T, n", "sort by self %, total %, name"),
    ("/", "search functions by name (escape clears)"),
    ("t, w", "next thread (busiest first); window 10 s, 60 s, session"),
    ("m", "Python / native stacks; on a Python target the first m starts the native sampler "
     "(root and bcc; it compiles for a few seconds)"),
    ("R", "window: a range picked on the CPU history chart"),
    ("i, G, N, P", "py-spy: idle threads too, GIL holder only, native frames (py-spy then "
     "pauses the target at each sample), subprocesses; each on / off, from its next chunk"),
    ("arrows", "flame: parent, child, previous / next frame on the row"),
    ("enter, backspace, 0", "flame: zoom into the frame, out one level, reset"),
    ("c", "flame: colour frames by module (file), or by self time: green, amber, red as a "
     "frame's own samples near the hottest frame's"),
    ("escape, f", "clear the search, zoom out, close"),
)

LIVE_ONLY = frozenset({"space, p", "+", "-", "r"})  # replaced or meaningless in a replay

NOTES = (
    "CPU % is of one core: 200% means two cores busy.",
    "File I/O bytes count what went through read()/write() calls, page cache hits, pipes and "
    "sockets included; disk counts what reached storage.",
    "Sizes are binary: 1 KiB = 1024 B, 1 MiB = 1024 KiB.  A dash (\u2013) means not known yet"
    " or not readable.",
    "Per-syscall counts, latency and errors need the eBPF probe: run `perftui doctor`.",
    "The header's `perftui` figure is perftui's own CPU, the app and its probes together, "
    "averaged over the last 10 s.",
)


def keys_text(keys: tuple[tuple[str, str], ...] = KEYS) -> Content:
    width = max(len(k) for k, _ in keys) + 2
    lines = [Content.assemble((k.ljust(width), "bold $accent"), what) for k, what in keys]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
        #help {
            width: 100%;
            max-width: 96;
            margin: 0 1;
            height: auto;
            max-height: 90%;
            border: round $accent;
            border-title-color: $accent;
            background: $surface;
            padding: 0 1;
            .head { margin-top: 1; }
            .note { padding-left: 2; }
        }
    }
    """
    # A modal screen hides the app's bindings: q must still quit from here.
    BINDINGS = [Binding("escape,question_mark", "close", "Close help"),
                Binding("q,alt+q", "app.quit", "Quit")]

    def __init__(self, replay_keys: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__()
        self._replay_keys = replay_keys  # a replay's own keys, which replace the live ones

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll(id="help")
        scroll.border_title = "perftui help"
        scroll.border_subtitle = "escape to close"
        replay = self._replay_keys
        with scroll:
            if replay:
                yield Static(Content.styled("Replay keys", "bold $accent"))
                yield Static(keys_text(replay))
            yield Static(Content.styled("Keys", "bold $accent"),
                         classes="head" if replay else "")
            yield Static(keys_text(tuple(k for k in KEYS if k[0] not in LIVE_ONLY)
                                   if replay else KEYS))
            yield Static(Content.styled("Hot functions (f)", "bold $accent"), classes="head")
            yield Static(keys_text(HOT_KEYS))
            yield Static(Content.styled("Reading the numbers", "bold $accent"), classes="head")
            for note in NOTES:
                yield Static(note, classes="note", markup=False)

    def action_close(self) -> None:
        self.dismiss()
