"""RSS growing steadily (perftui.model.growth's rule: rising in most samples, by MiBs and a
share of where it started), over the window but at least MIN_SPAN_S.

Severity: warning; critical when RSS grew by as much as it started with (it doubled)."""

from __future__ import annotations

from perftui.findings.base import CRITICAL, WARNING, Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c
from perftui.model.growth import sustained_growth

KIND = "memory_growth"
NEEDS = ("procfs",)
ADVICE = "a leak or a cache without a bound: find what holds the memory (tracemalloc, heap dump)"
MIN_SPAN_S = 10.0
WHOLE_WINDOW = True  # judges its series' steadiness itself (a report need not split it)


def detect(span: Span) -> list[Finding]:
    since = span.history_from if span.history_from is not None else span.base.ts
    points = [p for p in span.model.process.series_for("rss").since(since)
              if p[0] <= span.now.ts]
    growth = sustained_growth(points, min_span_s=MIN_SPAN_S)
    if growth is None:
        return []
    start = points[0][1]
    sev = CRITICAL if growth.grown_bytes >= start else WARNING
    return [c.finding(
        (KIND, ADVICE), sev,
        f"RSS grew {c.size(growth.grown_bytes)} in {growth.span_s:.0f} s "
        f"({c.size(growth.bytes_per_s)}/s), from {c.size(start)}", span,
        ("bytes_per_s", growth.bytes_per_s),
        {"grown_bytes": int(growth.grown_bytes), "span_s": round(growth.span_s, 1),
         "rss_start_bytes": int(start)}, {}, ())]
