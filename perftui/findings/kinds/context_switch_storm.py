"""Context switches at a storm's rate (procfs voluntary and involuntary switches per thread):
threads handing work to each other one item at a time, or too many runnable threads.

Thresholds, switches per second of the whole process: info 1000, warning 5000, critical
20000."""

from __future__ import annotations

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c

KIND = "context_switch_storm"
NEEDS = ("procfs",)
ADVICE = "hand work over in batches, and use fewer threads than there are runnable tasks"
LEVELS = (1000.0, 5000.0, 20000.0)


def detect(span: Span) -> list[Finding]:
    per_tid: dict[int, float] = {}
    for tid, (_u, _s, ctx) in span.now.threads.items():
        then = span.base.threads.get(tid)
        if then is not None:
            per_tid[tid] = max(0.0, ctx - then[2])
        elif span.base.threads:  # started in the window: counted from its start
            per_tid[tid] = float(ctx)
    total = span.per_s(sum(per_tid.values()))
    sev = c.level(total, *LEVELS)
    if sev is None:
        return []
    tid = max(per_tid, key=lambda t: per_tid[t])
    where = c.thread_where(span, tid)
    busy = sum(1 for n in per_tid.values() if span.per_s(n) >= 100)
    return [c.finding(
        (KIND, ADVICE), sev,
        f"{c.rate(total)} context switches over {busy} busy threads; thread {where['thread']} "
        f"{c.rate(span.per_s(per_tid[tid]))}", span, ("switches_per_s", total),
        {"threads": len(per_tid), "busy_threads": busy}, where, ())]
