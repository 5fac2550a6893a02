"""One syscall in detail (``d`` on the Syscalls pane): its latency histogram, one bar per
log2 bucket with the bucket's range, its failures by errno, and its split by thread.

The screen follows the app's newest snapshot (once a second), so the figures stay live;
left/right step through the syscalls in the pane's order.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content

from perftui.model.syscalls import bucket_range_ns
from perftui.ui.screens.panel import SnapshotPanel
from perftui.units import NA, fmt_count, fmt_duration, fmt_latency, fmt_per_s
from perftui.views.snapshot import Snapshot, SyscallView
from perftui.views.syscalls import SyscallRow, ThreadSysRow

BAR = "█"
MAX_THREAD_ROWS = 30


def bucket_label(b: int) -> str:
    lo, hi = bucket_range_ns(b)
    if b == 0:
        return "0 ns"
    if hi is None:
        return f"≥ {fmt_latency(lo)}"
    return f"{fmt_latency(lo)} - {fmt_latency(hi)}"


def histogram_lines(lat: tuple[int, ...], width: int, why_none: str = "") -> list[Content]:
    """One line per bucket from the first used to the last: range, bar, count, share."""
    used = [b for b, n in enumerate(lat) if n > 0]
    if not used:
        why = why_none or "the probe's `latency` capability is off"
        return [Content.styled(f"no latency histogram ({why})", "$text-muted")]
    total = sum(lat)
    peak = max(lat)
    label_w = max(len(bucket_label(b)) for b in range(used[0], used[-1] + 1))
    bar_w = max(4, width - label_w - 18)
    lines = []
    for b in range(used[0], used[-1] + 1):
        n = lat[b]
        bar = BAR * (round(n / peak * bar_w) if n else 0)
        if n and not bar:
            bar = "▏"  # present, however rare: a tail call must not look like none
        lines.append(Content.assemble(
            (bucket_label(b).rjust(label_w), "$text-muted"), " ", (bar.ljust(bar_w), "$accent"),
            (f" {fmt_count(n):>7}", "bold"), (f" {100 * n / total:5.1f}%", "$text-muted")))
    return lines


def _thread_line(t: ThreadSysRow, name_w: int) -> Content:
    return Content.assemble(
        (f"{t.tid:>8} ", "bold"), (f"{(t.name or '?')[:name_w]:<{name_w}}", "$accent"),
        f"{fmt_per_s(t.per_s):>10}", (f"{100 * t.share:6.1f}%", "$text-muted"),
        f"{NA if t.errors is None else fmt_count(t.errors):>8}",
        f"{fmt_latency(t.mean_ns):>10}")


def thread_lines(row: SyscallRow, view: SyscallView) -> list[Content]:
    """The "by thread" section: who makes this syscall, over the split's window."""
    title = Content.styled(f"By thread (last {view.threads_window_s:.0f} s)", "bold $accent")
    if view.threads_note.startswith("no per-thread split"):
        return [title, Content.styled(view.threads_note, "$text-muted")]
    lines = [title]
    if view.threads_note:
        lines.append(Content.styled(view.threads_note, "$text-muted"))
    if view.lat_every > 1 and not view.threads_note:
        lines.append(Content.styled(
            f"estimates: above 50 000 calls/s one call in {view.lat_every} is timed and "
            "weighted (calls, latency); errors are exact", "$text-muted"))
    if not row.threads:
        lines.append(Content.styled("no calls in the window", "$text-muted"))
        return lines
    name_w = max(6, min(16, max(len(t.name or "?") for t in row.threads)))
    lines.append(Content.styled(
        f"{'tid':>8} {'thread':<{name_w}}{'calls/s':>10}{'share':>7}{'errors':>8}"
        f"{'mean':>10}", "$text-muted"))
    lines += [_thread_line(t, name_w) for t in row.threads[:MAX_THREAD_ROWS]]
    if len(row.threads) > MAX_THREAD_ROWS:
        lines.append(Content.styled(f"… {len(row.threads) - MAX_THREAD_ROWS} more threads",
                                    "$text-muted"))
    return lines


def detail_text(row: SyscallRow, view: SyscallView, width: int) -> Content:
    source = view.source
    mean = row.time_s / row.total * 1e9 if row.total and row.time_s else None
    head = Content.assemble(
        (row.name, "bold $accent"), ("  calls ", "$text-muted"), (fmt_per_s(row.per_s), "bold"),
        ("  total ", "$text-muted"), (fmt_count(row.total), "bold"),
        ("  time in it ", "$text-muted"),
        (NA if not row.time_s else f"{row.time_s:.3f} s" if row.time_s < 60
         else fmt_duration(row.time_s), "bold"),
        ("  source ", "$text-muted"), (source, "bold"))
    pcts = Content.assemble(
        *[part for label, ns in (("p50", row.p50_ns), ("p95", row.p95_ns), ("p99", row.p99_ns),
                                 ("mean", mean))
          for part in ((f"{label} ", "$text-muted"), (f"{fmt_latency(ns)}   ", "bold"))])
    lines: list[Content] = [head, pcts, Content(""),
                            Content.styled("Latency (entry to return, log2 buckets)",
                                           "bold $accent"),
                            *histogram_lines(row.lat, width, view.scope_note and
                                            "histograms are the target's only"), Content(""),
                            Content.styled("Errors by errno", "bold $accent")]
    if row.errors_by_name:
        for name, n in row.errors_by_name:
            lines.append(Content.assemble((f"{name:<16}", "bold"), f"{fmt_count(n):>8}",
                                          (f"  {100 * n / max(1, row.total):5.1f}% of calls",
                                           "$text-muted")))
    else:
        lines.append(Content.styled("none since perftui attached", "$text-muted"))
    lines += [Content(""), *thread_lines(row, view)]
    return Content("\n").join(lines)


class SyscallDetailScreen(SnapshotPanel):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,d", "close", "Back"),
        Binding("left", "step(-1)", "Previous"),
        Binding("right", "step(1)", "Next"),
    ]

    def __init__(self, name: str, snapshot: Snapshot | None) -> None:
        super().__init__(snapshot)
        self.syscall = name

    def _rows(self) -> tuple[SyscallRow, ...]:
        return self._snap.syscalls.rows if self._snap is not None else ()

    def redraw(self) -> None:
        snap = self._snap
        rows = self._rows()
        row = next((r for r in rows if r.name == self.syscall), None)
        box = self.box
        box.border_title = f"Syscall {self.syscall}"
        box.border_subtitle = "← → other syscalls · escape back"
        body = self.body
        if row is None or snap is None:
            body.update(f"{self.syscall}: no data")
            return
        text = detail_text(row, snap.syscalls, box.content_size.width or 76)
        if snap.header.status != "running":  # the rates are the last ones before the end
            gone = " ".join(x for x in (snap.header.status, snap.header.exit_detail) if x)
            text = Content.assemble((f"target {gone}: the figures are from before it "
                                     "ended\n\n", "bold $warning"), text)
        body.update(text)

    def action_step(self, step: int) -> None:
        names = [r.name for r in self._rows()]
        if names:
            at = names.index(self.syscall) if self.syscall in names else 0
            self.syscall = names[(at + step) % len(names)]
            self.redraw()
