"""CPU & threads: the process total (user/system, % of one core), its history, busiest threads."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content

from perftui.ui.widgets.chart import HistoryChart, nice_ceiling
from perftui.ui.widgets.pane import Line, Pane
from perftui.ui.widgets.table import Col, RowTable
from perftui.units import NA, fmt_per_s, fmt_percent
from perftui.views.snapshot import CpuView, Snapshot, ThreadRow

_NARROW = (Col("tid", "TID", 7, right=True), Col("name", "NAME"), Col("st", "S", 1),
           Col("cpu", "CPU", 6, right=True), Col("ctx", "ctx sw", 7, right=True))
_WIDE = (Col("tid", "TID", 7, right=True), Col("name", "NAME"), Col("st", "S", 1),
         Col("cpu", "CPU", 6, right=True), Col("usr", "user", 6, right=True),
         Col("sys", "sys", 6, right=True), Col("ctx", "ctx sw", 8, right=True),
         Col("core", "core", 4, right=True))


_PYTHON = Col("py", "PYTHON NAME", max_width=24)  # wide, once py-spy has named a thread


def python_name(t: ThreadRow) -> str:
    """The thread's Python name when it says more than comm: "" when py-spy did not name it,
    when the names match, or when comm is the kernel's 15-character cut of it.  A column of
    its own, after the numbers, so NAME stays the comm that ps and top show."""
    py = t.py_name
    if not py or py == t.name or (len(t.name) == 15 and py.startswith(t.name)):
        return ""
    return py


def thread_cells(t: ThreadRow, wide: bool, named: bool = False) -> tuple[str, ...]:
    """``named``: the wide table has the PYTHON NAME column."""
    if not wide:
        return (str(t.tid), t.name, t.state, fmt_percent(t.cpu_percent), fmt_per_s(t.ctx_per_s))
    cells = (str(t.tid), t.name, t.state, fmt_percent(t.cpu_percent),
             fmt_percent(t.user_percent), fmt_percent(t.system_percent), fmt_per_s(t.ctx_per_s),
             str(t.last_cpu) if t.last_cpu >= 0 else NA)
    return (*cells, python_name(t)) if named else cells


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
            *((("  with children ", "$text-muted"), (fmt_percent(view.tree_percent), "bold"))
              if view.tree_percent is not None else ()),
            (f"  (% of one core; {_cores(view.cores)})" if wide else "", "$text-muted"))
        self.query_one("#cpu-summary", Line).show(summary)
        scale = self.query_one("#cpu-scale", Line)
        scale.display = wide
        scale.show(f"history: last {len(shown)} samples, peak "
                   f"{fmt_percent(max(shown, default=None))}, chart top {fmt_percent(top)}")
        chart.set_values(view.history, top=top)
        table = self.query_one(RowTable)
        # The Python column only once a name would fill it: no empty column for other targets.
        named = wide and any(python_name(t) for t in view.threads)
        table.set_columns((*_WIDE, _PYTHON) if named else _WIDE if wide else _NARROW)
        table.set_rows([thread_cells(t, wide, named)
                        for t in view.threads[: table.capacity or 50]])
        hidden = len(view.threads) - min(len(view.threads), table.capacity)
        more = f" · top {table.capacity} of {len(view.threads)}" if hidden > 0 else ""
        of = f"% of 1 core, {view.cores} cores" if view.cores else "% of 1 core"
        self.border_title = f"{self.TITLE} ({of}){more}"
