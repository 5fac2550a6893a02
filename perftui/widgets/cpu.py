"""CPU & threads: the process total (user/system, % of one core), its history, busiest threads."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content

from perftui.model.snapshot import CpuView, Snapshot, ThreadRow
from perftui.units import NA, fmt_per_s, fmt_percent
from perftui.widgets.chart import HistoryChart, nice_ceiling
from perftui.widgets.pane import Line, Pane
from perftui.widgets.table import Col, RowTable

_NARROW = (Col("tid", "TID", 7, right=True), Col("name", "NAME"), Col("st", "S", 1),
           Col("cpu", "CPU", 6, right=True), Col("ctx", "ctx sw", 7, right=True))
_WIDE = (Col("tid", "TID", 7, right=True), Col("name", "NAME"), Col("st", "S", 1),
         Col("cpu", "CPU", 6, right=True), Col("usr", "user", 6, right=True),
         Col("sys", "sys", 6, right=True), Col("ctx", "ctx sw", 8, right=True),
         Col("core", "core", 4, right=True))


def thread_name(t: ThreadRow) -> str:
    """The kernel's comm, and the Python name after it when py-spy named the thread
    differently (``python3 · MainThread``): comm is what ps and top show, the Python name is
    what the code calls it.  A comm that is a 15-character cut of the Python name is dropped."""
    py = t.py_name
    if not py or py == t.name:
        return t.name
    if len(t.name) == 15 and py.startswith(t.name):
        return py
    return f"{t.name} · {py}"


def thread_cells(t: ThreadRow, wide: bool) -> tuple[str, ...]:
    name = thread_name(t)
    if not wide:
        return (str(t.tid), name, t.state, fmt_percent(t.cpu_percent), fmt_per_s(t.ctx_per_s))
    return (str(t.tid), name, t.state, fmt_percent(t.cpu_percent),
            fmt_percent(t.user_percent), fmt_percent(t.system_percent), fmt_per_s(t.ctx_per_s),
            str(t.last_cpu) if t.last_cpu >= 0 else NA)


def _cores(cores: int | None) -> str:
    if not cores:
        return "200% = two busy cores"
    return f"this host has {cores} cores: at most {cores * 100}%"


class CpuPane(Pane[CpuView]):
    TITLE = "CPU & threads"
    DEFAULT_CSS = """
    CpuPane {
        HistoryChart { height: 25%; min-height: 2; max-height: 12; }
        &.-maximized HistoryChart { height: 40%; max-height: 24; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Line(id="cpu-summary")
        yield Line(id="cpu-scale", classes="muted")
        yield HistoryChart(id="cpu-chart")
        yield RowTable(id="threads")

    def select(self, snap: Snapshot) -> CpuView:
        return snap.cpu

    def draw(self, view: CpuView) -> None:
        wide = self.wide
        chart = self.query_one(HistoryChart)
        shown = chart.tail(view.history)
        # A 1-2-5 scale that covers the peak: 75% draws three quarters high on a 100% scale.
        top = nice_ceiling(max(shown, default=0.0))
        summary = Content.assemble(
            ("total ", "$text-muted"), (fmt_percent(view.percent), "bold $accent"),
            ("  user ", "$text-muted"), (fmt_percent(view.user_percent), "bold"),
            ("  sys ", "$text-muted"), (fmt_percent(view.system_percent), "bold"),
            (f"  (% of one core; {_cores(view.cores)})" if wide else "", "$text-muted"))
        self.query_one("#cpu-summary", Line).show(summary)
        scale = self.query_one("#cpu-scale", Line)
        scale.display = wide
        scale.show(f"history: last {len(shown)} samples, peak "
                   f"{fmt_percent(max(shown, default=None))}, chart top {fmt_percent(top)}")
        chart.set_values(view.history, top=top)
        table = self.query_one(RowTable)
        table.set_columns(_WIDE if wide else _NARROW)
        table.set_rows([thread_cells(t, wide) for t in view.threads[: table.capacity or 50]])
        hidden = len(view.threads) - min(len(view.threads), table.capacity)
        more = f" · top {table.capacity} of {len(view.threads)}" if hidden > 0 else ""
        of = f"% of 1 core, {view.cores} cores" if view.cores else "% of 1 core"
        self.border_title = f"{self.TITLE} ({of}){more}"
