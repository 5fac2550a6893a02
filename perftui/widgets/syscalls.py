"""System calls: what /proc counts (read/write calls, context switches) and where it came from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content

from perftui.model.snapshot import Snapshot, SyscallView
from perftui.units import fmt_per_s
from perftui.widgets.chart import HistoryChart, nice_ceiling
from perftui.widgets.pane import Line, Pane, read_write


class SyscallPane(Pane[SyscallView]):
    TITLE = "Syscalls"
    DEFAULT_CSS = """
    SyscallPane {
        HistoryChart { height: 1fr; max-height: 4; }
        &.-maximized HistoryChart { max-height: 16; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Line(id="sys-rates")
        yield Line(id="sys-source")
        yield Line(id="sys-note", classes="muted wrap")
        yield HistoryChart(id="sys-chart")

    def select(self, snap: Snapshot) -> SyscallView:
        return snap.syscalls

    def draw(self, view: SyscallView) -> None:
        self.query_one("#sys-rates", Line).show(Content("\n").join([
            read_write([("calls", fmt_per_s(view.read_calls_per_s),
                         fmt_per_s(view.write_calls_per_s))]),
            Content.assemble(("context switches ", "$text-muted"),
                             (fmt_per_s(view.ctx_per_s), "bold"))]))
        self.query_one("#sys-source", Line).show(
            Content.assemble(("source ", "$text-muted"), (view.source, "bold"),
                             ("   chart: read calls/s" if self.wide else "", "$text-muted")))
        self.query_one("#sys-note", Line).show(view.note)
        chart = self.query_one(HistoryChart)
        chart.set_values(view.calls_history,
                         top=nice_ceiling(max(chart.tail(view.calls_history), default=0.0)))
