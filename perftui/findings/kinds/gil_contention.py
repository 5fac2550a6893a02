"""Python threads waiting for the GIL: the timed futex waits of CPython's GIL (see
futexes.is_gil), when several threads wait on it.

Thresholds, threads waiting for it on average (seconds waited per second): info 0.1,
warning 0.5, critical 1.5; and at least MIN_WAITS_PER_S waits a second."""

from __future__ import annotations

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c
from perftui.findings.kinds.futexes import is_gil, locks

KIND = "gil_contention"
NEEDS = ("futex", "procfs")
ADVICE = ("fewer Python threads running Python code at once: move CPU work to processes, "
          "or to code that releases the GIL")
LEVELS = (0.1, 0.5, 1.5)
MIN_WAITS_PER_S = 20.0


def detect(span: Span) -> list[Finding]:
    python = span.python()
    gil = max((lk for lk in locks(span) if is_gil(lk, python)), key=lambda lk: lk.wait_s,
              default=None)
    if gil is None:
        return []
    waiting = span.per_s(gil.wait_s)
    sev = c.level(waiting, *LEVELS)
    if sev is None or span.per_s(gil.waits) < MIN_WAITS_PER_S:
        return []
    tid = max(gil.waiters, key=lambda t: gil.waiters[t])
    where = {**c.thread_where(span, tid), "address": hex(gil.address)}
    return [c.finding(
        (KIND, ADVICE), sev,
        f"{len(gil.waiters)} Python threads wait for the GIL: {waiting:.1f} threads waiting "
        f"on average, {c.rate(span.per_s(gil.waits))} waits; thread {where['thread']} waits "
        f"most ({c.pct(gil.waiters[tid], span.seconds):.0f} % of its time)", span,
        ("threads_waiting", waiting),
        {"waiters": len(gil.waiters), "waits": int(gil.waits),
         "timed_out": int(gil.timeouts), "wait_s": round(gil.wait_s, 3)}, where, ())]
