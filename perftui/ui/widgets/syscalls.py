"""System calls: per syscall from the eBPF probe (calls/s, total, errors, latency
percentiles), or what /proc counts (read/write calls, context switches) without it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message

from perftui.ui.widgets.chart import HistoryChart, nice_ceiling
from perftui.ui.widgets.pane import Line, Pane, read_write
from perftui.ui.widgets.table import Col, RowTable
from perftui.units import fmt_count, fmt_latency, fmt_per_s
from perftui.views.snapshot import Snapshot, SyscallView
from perftui.views.syscalls import SyscallRow

_NARROW = (Col("name", "SYSCALL", max_width=16), Col("rate", "calls", 7, right=True),
           Col("err", "errors", 12), Col("p99", "p99", 8, right=True))
_WIDE = (Col("name", "SYSCALL", max_width=20), Col("rate", "calls", 8, right=True),
         Col("total", "total", 7, right=True), Col("err", "errors", 14),
         Col("p50", "p50", 8, right=True), Col("p95", "p95", 8, right=True),
         Col("p99", "p99", 8, right=True))


def fmt_errors(row: SyscallRow, *, width: int) -> str:
    """``25 ENOENT`` (the most common errno), or empty for a syscall that never failed."""
    if not row.errors:
        return ""
    text = f"{fmt_count(row.errors)} {row.top_errno}"
    return text if len(row.errors_by_name) == 1 or len(text) + 1 >= width else text + "+"


def row_cells(row: SyscallRow, wide: bool) -> tuple[str, ...]:
    rate = fmt_per_s(row.per_s)
    if not wide:
        return (row.name, rate, fmt_errors(row, width=12), fmt_latency(row.p99_ns))
    return (row.name, rate, fmt_count(row.total), fmt_errors(row, width=14),
            fmt_latency(row.p50_ns), fmt_latency(row.p95_ns), fmt_latency(row.p99_ns))


class SyscallPane(Pane[SyscallView]):
    class DetailAsked(Message):
        """The user asked for one syscall's detail (enter, d): the app opens it."""

        def __init__(self, syscall: str) -> None:
            super().__init__()
            self.syscall = syscall

    TITLE = "Syscalls"
    SOURCES = ("procfs", "ebpf", "perfcount")
    # enter and d (app keys) open the detail of the highlighted syscall
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
    ]
    DEFAULT_CSS = """
    SyscallPane {
        &:focus RowTable > .rowtable--cursor { background: $accent 35%; text-style: bold; }
        HistoryChart { height: 1fr; max-height: 4; }
        &.-maximized HistoryChart { max-height: 16; }
        &.-per-syscall HistoryChart { display: none; }
        &.-per-syscall.-maximized HistoryChart { display: block; max-height: 8; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        # The highlighted syscall, by name: rows re-sort by rate every interval and the
        # highlight follows the syscall, not the line.  None: the busiest.
        self.selected: str | None = None
        self._shown_names: list[str] = []

    def compose(self) -> ComposeResult:
        yield Line(id="sys-rates")
        yield Line(id="sys-source")
        yield Line(id="sys-note", classes="muted wrap")
        yield RowTable(id="sys-table")
        yield HistoryChart(id="sys-chart")

    def select(self, snap: Snapshot) -> SyscallView:
        return snap.syscalls

    def draw(self, view: SyscallView) -> None:
        per_syscall = bool(view.rows)
        self.set_class(per_syscall, "-per-syscall")
        rates = self.query_one("#sys-rates", Line)
        rates.display = not per_syscall
        if not per_syscall:
            rates.show(Content("\n").join([
                read_write([("calls", fmt_per_s(view.read_calls_per_s),
                             fmt_per_s(view.write_calls_per_s))]),
                Content.assemble(("context switches ", "$text-muted"),
                                 (fmt_per_s(view.ctx_per_s), "bold"))]))
        self.query_one("#sys-source", Line).show(self._source_line(view))
        note = self.query_one("#sys-note", Line)
        note.display = bool(view.note)
        note.show(view.note)
        table = self.query_one(RowTable)
        table.display = per_syscall
        if per_syscall:
            table.set_columns(_WIDE if self.wide else _NARROW)
            rows = view.rows[: table.capacity or 50]
            table.set_rows([row_cells(r, self.wide) for r in rows])
            self._shown_names = [r.name for r in rows]
            shown = min(len(view.rows), table.capacity or len(view.rows))
            self.border_title = (f"{self.TITLE} · {shown} of {len(view.rows)} · enter: detail"
                                 if self.wide else f"{self.TITLE} · enter: detail")
        else:
            self._shown_names = []
            self.border_title = self.TITLE
        self._show_cursor()
        chart = self.query_one(HistoryChart)
        chart.set_values(view.calls_history,
                         top=nice_ceiling(max(chart.tail(view.calls_history), default=0.0)))

    def _source_line(self, view: SyscallView) -> Content:
        if not view.rows:
            return Content.assemble(("source ", "$text-muted"), (view.source, "bold"),
                                    ("   chart: read calls/s" if self.wide else "",
                                     "$text-muted"))
        parts: list[str | tuple[str, str]] = [
            ("all ", "$text-muted"), (fmt_per_s(view.total_per_s), "bold"),
            ("  source ", "$text-muted"), (view.source, "bold")]
        if view.lat_every > 1 and self.wide:
            parts.append((f"  latency: 1 call in {view.lat_every} timed", "$text-muted"))
        return Content.assemble(*parts)

    def selected_row(self) -> int:
        """Index of the highlighted syscall among the rows drawn; a syscall that dropped
        out of them hands the highlight back to the busiest."""
        if self.selected in self._shown_names:
            return self._shown_names.index(self.selected)
        self.selected = None
        return 0

    def _show_cursor(self, focused: bool | None = None) -> None:
        # Only the focused pane shows its highlight: enter acts on the focused pane.
        # (In the focus events themselves, has_focus is not up to date yet.)
        focused = self.has_focus if focused is None else focused
        shown = focused and bool(self._shown_names)
        self.query_one(RowTable).set_cursor(self.selected_row() if shown else -1)

    def on_focus(self) -> None:
        self._show_cursor(True)

    def on_blur(self) -> None:
        self._show_cursor(False)

    def action_cursor(self, step: int) -> None:
        if not self._shown_names:
            return
        row = min(max(self.selected_row() + step, 0), len(self._shown_names) - 1)
        self.selected = self._shown_names[row]
        self._show_cursor()

    def action_detail(self) -> None:
        view = self._view
        if view is None or not view.rows:
            self.notify("No per-syscall data: the eBPF probe is not running "
                        "(see `perftui doctor`).", severity="warning")
            return
        name = self._shown_names[self.selected_row()] if self._shown_names else view.rows[0].name
        self.post_message(self.DetailAsked(name))
