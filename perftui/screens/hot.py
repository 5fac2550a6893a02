"""The hot-functions drill-down (``f``): top functions and a flame graph of the stack samples.

It reads the app's model directly (under the app's lock), not the Snapshot: the views are
built from the stack model's window sums at each refresh, so a filter change or a new chunk
is shown at once and nothing cached can go stale.  It recomputes only when something it
shows changed (a new chunk, a probe's state, a filter), which at 1 s refresh is rarely.

Keys i G N P switch py-spy's options through the source (the probe announces what is in force,
and the options line shows the model's word, not the key presses); ``m`` on a Python target
starts the native stack sampler the first time it is asked for, since its compile costs
seconds of CPU that a user who never looks at native stacks should not pay.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from perftui.model.model import Model
from perftui.model.probes import FAILED, FINISHED, UNAVAILABLE
from perftui.model.snapshot import HISTORY_POINTS
from perftui.model.stacks import SAMPLER_OPTIONS, SESSION, StackModel, Window, WindowStats
from perftui.model.stackviews import flame, top_functions
from perftui.probeselect import STACKS, native_stacks_possible
from perftui.screens.range_pick import Range, RangePicker, describe
from perftui.widgets.flame import FlameView
from perftui.widgets.table import RowTable
from perftui.widgets.topfuncs import SORTS, TopFunctions, sort_rows

if TYPE_CHECKING:
    from perftui.app import PerftuiApp

WINDOWS: tuple[tuple[str, Window], ...] = (
    ("last 10 s", Window.last(10)), ("last 60 s", Window.last(60)), ("session", SESSION))
SAMPLERS = {"pyspy": "py-spy", "stacks": "eBPF cpu-clock"}
NO_PROBE = "no stack probe for this target: see perftui doctor"
NATIVE_STARTING = "native sampler starting (compiling)"
NO_NATIVE = "native stacks need root and bcc: see perftui doctor"
# py-spy's options as the options line names them (keys i G N P).
OPTIONS = {"idle": "idle threads", "gil": "GIL holder only", "native": "native frames",
           "subprocesses": "subprocesses"}
NATIVE_COST = "py-spy pauses the target at each sample"
DOWN = (FAILED, FINISHED, UNAVAILABLE)
NOTE_S = 10.0  # a key's message stays this long (or until what it asked for is in force)


def stack_sources(model: Model) -> list[str]:
    """The stack streams that can feed the view: Python first, those with data or a probe."""
    out = []
    for name, stacks in (("pyspy", model.pystacks), ("stacks", model.nativestacks)):
        status = model.probes.get(name)
        if stacks.slices or stacks.session or (status is not None and not status.missing()
                                               and status.state in ("live", "starting")):
            out.append(name)
    return out


def why_none(model: Model) -> str:
    """One line on why no sampler feeds the view: each stack probe's missing caps or state."""
    reasons = []
    for name, label in SAMPLERS.items():
        status = model.probes.get(name)
        if status is None:
            continue
        why = "; ".join(status.missing().values()) or status.msg or status.state
        reasons.append(f"{label}: {why}")
    return "  ".join(reasons) or NO_PROBE


def native_status(model: Model) -> str:
    """The status line while the native sampler has sent no samples yet."""
    status = model.probes.get("stacks")
    if status is not None and status.state in DOWN:
        why = "; ".join(status.missing().values()) or status.msg or status.state
        return f"{SAMPLERS['stacks']}: {why}"
    return NATIVE_STARTING


def options_line(model: Model, asked: dict[str, bool], note: str) -> Content:
    """py-spy's options in force (and those asked for, not yet), or the last key's message."""
    if note:
        return Content(note)
    if "pyspy" not in model.probes:
        return Content("")
    force = model.pystacks.options
    on = [name for name in SAMPLER_OPTIONS if asked.get(name, force.get(name, False))]
    words = [OPTIONS[n] + (" (asked)" if force.get(n, False) != asked.get(n, force.get(n))
                              else "") for n in on]
    line = Content(f"py-spy options (i G N P): {', '.join(words) or 'none'}")
    if "native" in on:
        line = Content.assemble(line, "  ", (f"native: {NATIVE_COST}", "bold $warning"))
    return line


def status_line(label: str, stacks: StackModel, stats: WindowStats, window: str) -> str:
    rate = f"{stacks.rate} Hz" if stacks.rate else "rate ?"
    # The cpu-clock sampler asks for nothing up front (it samples running time only).
    lost = (f"lost {max(0, stats.asked - stats.got)} of {stats.asked} asked  "
            if stats.asked else "")
    return f"{label} at {rate}  {stats.samples} samples in {window}  {lost}errors {stats.errors}"


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
        self._key: Any = None
        self._rows: tuple[Any, ...] = ()
        self._threads: tuple[tuple[int, str, int], ...] = ()

    @property
    def perftui(self) -> PerftuiApp:
        return self.app  # type: ignore[return-value]

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
        self.perftui.source.command("pyspy", "fresh on")
        self.refresh_view()
        # As often as the app refreshes, but a pyspy chunk comes at most once a second.
        self.set_interval(max(0.25, min(1.0, self.perftui.interval)), self.refresh_view)

    def on_unmount(self) -> None:
        self.perftui.source.command("pyspy", "fresh off")

    # -- data ----------------------------------------------------------------------------
    def refresh_view(self, force: bool = False) -> None:
        app = self.perftui
        if app.paused and not force:
            return
        with app.lock:
            model = app.model
            sources = stack_sources(model)
            starting = self._native_asked and self.source == "stacks"
            if self.source not in sources and not starting:
                self.source = sources[0] if sources else ""
            stacks = model.pystacks if self.source == "pyspy" else model.nativestacks
            probe_states = tuple((n, p.state, p.msg) for n, p in model.probes.items()
                                 if n in SAMPLERS)
            in_force = model.pystacks.options
            self._asked = {n: v for n, v in self._asked.items() if in_force.get(n) != v}
            if ((self._note.startswith("asked") and not self._asked)
                    or time.monotonic() - self._note_at > NOTE_S):
                self._note = ""  # py-spy now runs with what was asked, or it is old news
            options = options_line(model, self._asked, self._note)
            key = (id(model), stacks.session_stats[0], stacks.last_t1, probe_states,
                   self.source, self.tid, self.window_index, self.range, self.size,
                   options.plain)
            if key == self._key and not force:
                return
            self._key = key
            name, window = self.range or WINDOWS[self.window_index]
            stats = stacks.stats(window, self.tid)
            self._threads = stats.threads
            self._rows = top_functions(stacks, window, self.tid)
            tree = flame(stacks, window, self.tid)
            if self.source == "stacks" and not stacks.session_stats[0]:
                status = native_status(model)
            elif self.source:
                status = status_line(SAMPLERS[self.source], stacks, stats, name)
            else:
                status = why_none(model)
            both = len(sources) > 1 or starting
        thread = "all threads" if self.tid is None else \
            next((f"{n} ({t})" for t, n, _ in stats.threads if t == self.tid),
                 f"thread {self.tid}")
        self.query_one("#hot-status", Static).update(status)
        self.query_one("#hot-options", Static).update(options)
        when = "chosen range (R; w for windows)" if self.range else f"{name} (w)"
        self.query_one("#hot-filters", Static).update(
            f"{thread} (t)  {when}  sort: {SORTS[self.sort]} (s T n)"
            + (f"  {'Python' if self.source == 'pyspy' else 'native'} stacks (m)"
               if both else ""))
        self._show_rows()
        self.query_one(FlameView).show(tree)

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
        with self.perftui.lock:
            model = self.perftui.model
            series = model.process.series.get("cpu")
            points = series.points()[-HISTORY_POINTS:] if series is not None else []
            origin = model.first_ts

        def chosen(span: Range | None) -> None:
            if span is not None:
                self.range = (describe(span, origin), Window.between(*span))
                self.refresh_view(force=True)

        self.app.push_screen(RangePicker(points, origin), callback=chosen)

    def action_mode(self) -> None:
        with self.perftui.lock:
            sources = stack_sources(self.perftui.model)
            native = self.perftui.model.probes.get("stacks")
        self._note = ""
        was = self.source
        if self.source == "pyspy" and "stacks" not in sources:
            if native is not None and native.state in DOWN:
                self._say(why_none(self.perftui.model))
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

    def _start_native(self) -> None:
        """The native sampler on demand: a live target, root and bcc (see the module doc)."""
        source = self.perftui.source
        if source.live and not native_stacks_possible():
            self._say(NO_NATIVE)
            return
        why = source.add_probe(STACKS)
        if why is not None:
            self._say(why)
            return
        self.source, self._native_asked = "stacks", True

    def action_option(self, name: str) -> None:
        """Switch one of py-spy's options (i G N P), from its next chunk on."""
        source = self.perftui.source
        with self.perftui.lock:
            model = self.perftui.model
            status = model.probes.get("pyspy")
            current = self._asked.get(name, model.pystacks.options.get(name, False))
        label = OPTIONS[name]
        if source.live and status is None:
            self._say(f"{label}: py-spy does not run for this target (not Python?)")
        elif source.live and status is not None and status.state in DOWN:
            said = f": {status.msg}" if status.msg else ""
            self._say(f"{label}: py-spy does not run ({status.state}{said})")
        else:
            on = not current
            why = source.command("pyspy", f"option {name} {'on' if on else 'off'}")
            if why is not None:
                self._say(why)
            else:
                self._asked[name] = on
                self._say(f"asked py-spy for {label} {'on' if on else 'off'}" + (
                    f": {NATIVE_COST}" if name == "native" and on else ""))
        self.refresh_view(force=True)
