"""Memory: resident and virtual sizes, RSS history and growth, page faults, the leak warning."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content

from perftui.ui.widgets.chart import HistoryChart
from perftui.ui.widgets.pane import Line, Pane, grid
from perftui.units import fmt_bytes, fmt_grown, fmt_growth, fmt_per_s
from perftui.views.snapshot import GROWTH_WINDOW_S, MemoryView, Snapshot


class MemoryPane(Pane[MemoryView]):
    TITLE = "Memory"
    DEFAULT_CSS = """
    MemoryPane {
        HistoryChart { height: 1fr; min-height: 1; max-height: 12; }
        &.-maximized HistoryChart { max-height: 30; }
        #mem-warning {
            display: none;
            color: $text-error;
            background: $error-muted;
            text-style: bold;
            &.-show { display: block; }
        }
    }
    """

    def compose(self) -> ComposeResult:
        yield Line(id="mem-warning", classes="wrap")
        yield Line(id="mem-rss")
        yield Line(id="mem-sizes")
        yield Line(id="mem-faults")
        yield Line(id="mem-scale", classes="muted")
        # Relative scale: a leak of a few MiB on a 1 GiB process must still show as a slope.
        yield HistoryChart(id="mem-chart", relative=True)

    def select(self, snap: Snapshot) -> MemoryView:
        return snap.memory

    def draw(self, view: MemoryView) -> None:
        wide = self.wide
        span = view.growth_span_s
        if span is not None and span < GROWTH_WINDOW_S - 1.5:
            # Under a minute of history: what it did, not a per-minute rate from seconds.
            growth, note = fmt_grown(view.grown_bytes, span), ""
        else:
            growth, note = fmt_growth(view.growth_bytes_per_s), " (last minute)"
        rss = Content.assemble(("RSS ", "$text-muted"), (fmt_bytes(view.rss), "bold $accent"),
                               ("  growth ", "$text-muted"), (growth, "bold"),
                               (note if wide else "", "$text-muted"))
        self.query_one("#mem-rss", Line).show(rss)
        sizes = [("USS", fmt_bytes(view.uss)), ("PSS", fmt_bytes(view.pss)),
                 ("swap", fmt_bytes(view.swap)), ("VMS", fmt_bytes(view.vms))]
        self.query_one("#mem-sizes", Line).show(grid(sizes, self.size.width, value_width=9))
        faults = Content.assemble(
            ("page faults ", "$text-muted"), (fmt_per_s(view.minflt_per_s), "bold"),
            (" minor  ", "$text-muted"), (fmt_per_s(view.majflt_per_s), "bold"),
            (" major", "$text-muted"))
        self.query_one("#mem-faults", Line).show(faults)
        chart = self.query_one(HistoryChart)
        shown = chart.tail(view.rss_history)
        scale = self.query_one("#mem-scale", Line)
        scale.display = wide
        scale.show(f"RSS history: last {len(shown)} samples, {fmt_bytes(min(shown))} to "
                   f"{fmt_bytes(max(shown))} (scaled from the lowest)" if shown else
                   "RSS history: no samples yet")
        chart.set_values(view.rss_history)
        warning = self.query_one("#mem-warning", Line)
        warning.show(f"⚠ {view.warning}" if view.warning else "")
        warning.set_class(bool(view.warning), "-show")
