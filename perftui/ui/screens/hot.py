"""The hot-functions drill-down (``f``): top functions and a flame graph of the stack samples.

It sets a StacksQuery (sampler, thread, window) and asks the feed for the StacksView
(perftui.views.hot) at each refresh, so a filter change or a new chunk is shown at once and
nothing cached can go stale.  The feed answers "unchanged" when nothing the view shows
changed (a new chunk, a probe's state, the query), which at 1 s refresh is most of the time.

Keys i G N P switch py-spy's options through the source (the probe announces what is in force,
and the options line shows the model's word, not the key presses); ``m`` on a Python target
starts the native stack sampler the first time it is asked for, since its compile costs
seconds of CPU that a user who never looks at native stacks should not pay.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any, Protocol, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from perftui.feed import Feed
from perftui.host.probeselect import STACKS, native_stacks_possible
from perftui.model.stacks import SAMPLER_OPTIONS, SESSION, Window
from perftui.sources.base import NOT_LIVE, FrameSource, ProbeControl
from perftui.ui.screens.range_pick import Range, RangePicker, describe
from perftui.ui.widgets.flame import FlameView
from perftui.ui.widgets.table import RowTable
from perftui.ui.widgets.topfuncs import SORTS, TopFunctions, sort_rows
from perftui.views.hot import (
    DOWN,
    SamplerStates,
    StacksQuery,
    StacksView,
    cpu_history,
    sampler_states,
    stacks_view,
)


class StacksHost(Protocol):
    """What this screen needs of the app: the feed to ask, the probes to command."""

    feed: Feed
    source: FrameSource
    control: ProbeControl | None  # None: a replay, whose probes cannot be steered
    paused: bool
    interval: float

WINDOWS: tuple[tuple[str, Window], ...] = (
    ("last 10 s", Window.last(10)), ("last 60 s", Window.last(60)), ("session", SESSION))
NO_NATIVE = "native stacks need root and bcc: see perftui doctor"
# py-spy's options as the options line names them (keys i G N P).
OPTIONS = {"idle": "idle threads", "gil": "GIL holder only", "native": "native frames",
           "subprocesses": "subprocesses"}
NATIVE_COST = "py-spy pauses the target at each sample"
NOTE_S = 10.0  # a key's message stays this long (or until what it asked for is in force)


def options_line(samplers: SamplerStates, asked: dict[str, bool], note: str) -> Content:
    """py-spy's options in force (and those asked for, not yet), or the last key's message."""
    if note:
        return Content(note)
    if samplers.pyspy is None:
        return Content("")
    force = dict(samplers.options)
    on = [name for name in SAMPLER_OPTIONS if asked.get(name, force.get(name, False))]
    words = [OPTIONS[n] + (" (asked)" if force.get(n, False) != asked.get(n, force.get(n))
                              else "") for n in on]
    line = Content(f"py-spy options (i G N P): {', '.join(words) or 'none'}")
    if "native" in on:
        line = Content.assemble(line, "  ", (f"native: {NATIVE_COST}", "bold $warning"))
    return line


class HotScreen(Screen[None]):
    DEFAULT_CSS = """
    HotScreen {
        background: $surface;
        #hot-status { height: 1; color: $text-muted; padding: 0 1; }
        #hot-filters { height: 1; color: $accent; padding: 0 1; }
        #hot-options { height: 1; color: $text-muted; padding: 0 1; }
        #hot-search { display: none; height: 1; border: none; padding: 0 1; }
        #hot-search.shown { display: block; }
        #hot-top { height: 45%; padding: 0 1; }
        #hot-selected { height: 1; color: $text-muted; padding: 0 1;
                        border-top: hkey $panel; height: 2; }
    }
    """
    BINDINGS = [
        Binding("f", "close", "Close"),
        Binding("escape", "back", "Back", show=False),
        Binding("q,alt+q", "app.quit", "Quit", show=False),
        Binding("s", "sort('self')", "Self", show=False),
        Binding("T", "sort('total')", "Total", show=False),
        Binding("n", "sort('name')", "Sort", key_display="s T n"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("t", "thread", "Thread"),
        Binding("w", "window", "Window"),
        Binding("m", "mode", "Py/native"),
        Binding("i", "option('idle')", "Idle", show=False),
        Binding("G", "option('gil')", "GIL", show=False),
        Binding("N", "option('native')", "Native", show=False),
        Binding("P", "option('subprocesses')", "Options", key_display="i G N P"),
        Binding("R", "range", "Range"),  # last: on a narrow footer m stays
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "self"
        self.query_text = ""
        self.tid: int | None = None
        self.window_index = 0
        self.range: tuple[str, Window] | None = None  # picked on the CPU chart (R); wins over w
        self.source = ""  # "pyspy" or "stacks"; "" until one exists
        self._native_asked = False  # m started the native sampler: show it while it starts
        self._asked: dict[str, bool] = {}  # py-spy options asked for, until in force
        self._note = ""  # what the last option key (or m) could not do, or did
        self._note_at = 0.0
        self._key: tuple[object, ...] | None = None  # of the view drawn: skip unchanged ones
        self._view: StacksView | None = None
        self._samplers: SamplerStates | None = None
        self._options = ""
        self._drawn_for: tuple[object, ...] = ()
        self._rows: tuple[Any, ...] = ()
        self._threads: tuple[tuple[int, str, int], ...] = ()

    @property
    def perftui(self) -> StacksHost:
        return cast(StacksHost, self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="hot-status", markup=False)
        yield Static(id="hot-filters", markup=False)
        yield Static(id="hot-options", markup=False)
        yield Input(placeholder="function name; escape clears", id="hot-search")
        yield TopFunctions(id="hot-top")
        yield FlameView(id="hot-flame")
        yield Static(id="hot-selected", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(FlameView).focus()
        # Short py-spy chunks while someone looks (the running long one is cut: its samples
        # show now); a live source only, a replay's answer is ignored.
        self._command("fresh on")
        self.refresh_view()
        # As often as the app refreshes, but a pyspy chunk comes at most once a second.
        self.set_interval(max(0.25, min(1.0, self.perftui.interval)), self.refresh_view)

    def on_unmount(self) -> None:
        self._command("fresh off")

    # -- data ----------------------------------------------------------------------------
    def refresh_view(self, force: bool = False) -> None:
        app = self.perftui
        if app.paused and not force:
            return
        name, window = self.range or WINDOWS[self.window_index]
        pid = app.feed.focus  # a process picked in the tree: its threads only
        query = StacksQuery(self.source, self.tid, name, window, self._native_asked, pid)
        view = app.feed.read(partial(stacks_view, query=query,
                                     unless_key=None if force else self._key))
        samplers = view.samplers if view is not None else self._samplers
        if samplers is not None:
            in_force = dict(samplers.options)
            self._asked = {n: v for n, v in self._asked.items() if in_force.get(n) != v}
        if ((self._note.startswith("asked") and not self._asked)
                or time.monotonic() - self._note_at > NOTE_S):
            self._note = ""  # py-spy now runs with what was asked, or it is old news
        options = options_line(samplers, self._asked, self._note) if samplers else Content("")
        if view is None and options.plain == self._options and (self.size, self.sort) == \
                self._drawn_for:
            return  # nothing shown changed
        if view is not None:
            self._key, self._samplers, self._view = view.key, view.samplers, view
            self.source, self._threads, self._rows = view.source, view.threads, view.rows
        self._options, self._drawn_for = options.plain, (self.size, self.sort)
        shown = self._view
        if shown is None:
            return
        thread = "all threads" if self.tid is None else \
            next((f"{n} ({t})" for t, n, _ in shown.threads if t == self.tid),
                 f"thread {self.tid}")
        if pid is not None:
            thread = f"pid {pid}: {thread}"
        self.query_one("#hot-status", Static).update(shown.status)
        self.query_one("#hot-options", Static).update(options)
        when = "chosen range (R; w for windows)" if self.range else f"{name} (w)"
        self.query_one("#hot-filters", Static).update(
            f"{thread} (t)  {when}  sort: {SORTS[self.sort]} (s T n)"
            + (f"  {'Python' if self.source == 'pyspy' else 'native'} stacks (m)"
               if shown.both else ""))
        self._show_rows()
        self.query_one(FlameView).show(shown.tree)

    def _show_rows(self) -> None:
        self.query_one(TopFunctions).show(sort_rows(self._rows, self.sort, self.query_text),
                                          self.sort)

    @on(FlameView.Changed)
    def _show_selected(self) -> None:
        self.query_one("#hot-selected", Static).update(self.query_one(FlameView).describe())

    @on(RowTable.Resized)
    def _resized(self) -> None:
        self._show_rows()

    # -- keys ----------------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss()

    def action_back(self) -> None:
        search = self.query_one("#hot-search", Input)
        if search.has_class("shown") or self.query_text:
            search.value = ""
            search.remove_class("shown")
            self.query_one(FlameView).focus()
        elif not self.query_one(FlameView).action_unzoom():
            self.dismiss()

    def action_sort(self, by: str) -> None:
        self.sort = by
        self.refresh_view(force=True)

    def action_search(self) -> None:
        search = self.query_one("#hot-search", Input)
        search.add_class("shown")
        search.focus()

    @on(Input.Changed, "#hot-search")
    def _search(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._show_rows()

    @on(Input.Submitted, "#hot-search")
    def _search_done(self) -> None:
        self.query_one(FlameView).focus()  # the filter stays; escape clears it

    def action_thread(self) -> None:
        """All threads, then each thread busiest first, then all again."""
        tids = [t for t, _, _ in self._threads]
        if self.tid is None:
            self.tid = tids[0] if tids else None
        else:
            at = tids.index(self.tid) if self.tid in tids else len(tids)
            self.tid = tids[at + 1] if at + 1 < len(tids) else None
        self.refresh_view(force=True)

    def action_window(self) -> None:
        if self.range is not None:  # back to the fixed windows, at the first
            self.range, self.window_index = None, 0
        else:
            self.window_index = (self.window_index + 1) % len(WINDOWS)
        self.refresh_view(force=True)

    def action_range(self) -> None:
        """Pick [t0, t1] on the CPU history the CPU pane charts (its timestamps)."""
        points, origin = self.perftui.feed.read(cpu_history)

        def chosen(span: Range | None) -> None:
            if span is not None:
                self.range = (describe(span, origin), Window.between(*span))
                self.refresh_view(force=True)

        self.app.push_screen(RangePicker(points, origin), callback=chosen)

    def action_mode(self) -> None:
        samplers = self.perftui.feed.read(sampler_states)
        sources, native, why = list(samplers.sources), samplers.native, samplers.why_none
        self._note = ""
        was = self.source
        if self.source == "pyspy" and "stacks" not in sources:
            if native is not None and native[0] in DOWN:
                self._say(why)
            elif native is None:
                self._start_native()
        elif self.source == "stacks" and "stacks" not in sources:
            self.source, self._native_asked = "pyspy", False  # it never came: back to Python
        elif len(sources) > 1:
            self.source = sources[(sources.index(self.source) + 1) % len(sources)] \
                if self.source in sources else sources[0]
        if self.source != was:
            self.tid = None  # thread ids differ between the samplers' views
        self.refresh_view(force=True)

    def _say(self, note: str) -> None:
        self._note, self._note_at = note, time.monotonic()

    def _command(self, line: str) -> str | None:
        """A command line for the pyspy probe; None when sent, else why it cannot be."""
        control = self.perftui.control
        if control is None:
            return NOT_LIVE + "the probes' options cannot be changed"
        return control.command("pyspy", line)

    def _start_native(self) -> None:
        """The native sampler on demand: a live target, root and bcc (see the module doc)."""
        source, control = self.perftui.source, self.perftui.control
        if source.live and not native_stacks_possible():
            self._say(NO_NATIVE)
            return
        why = control.add_probe(STACKS) if control is not None else \
            NOT_LIVE + "no probe can be started"
        if why is not None:
            self._say(why)
            return
        self.source, self._native_asked = "stacks", True

    def action_option(self, name: str) -> None:
        """Switch one of py-spy's options (i G N P), from its next chunk on."""
        source = self.perftui.source
        samplers = self.perftui.feed.read(sampler_states)
        status = samplers.pyspy  # (state, msg)
        current = self._asked.get(name, dict(samplers.options).get(name, False))
        label = OPTIONS[name]
        if source.live and status is None:
            self._say(f"{label}: py-spy does not run for this target (not Python?)")
        elif source.live and status is not None and status[0] in DOWN:
            said = f": {status[1]}" if status[1] else ""
            self._say(f"{label}: py-spy does not run ({status[0]}{said})")
        else:
            on = not current
            why = self._command(f"option {name} {'on' if on else 'off'}")
            if why is not None:
                self._say(why)
            else:
                self._asked[name] = on
                self._say(f"asked py-spy for {label} {'on' if on else 'off'}" + (
                    f": {NATIVE_COST}" if name == "native" and on else ""))
        self.refresh_view(force=True)
