"""Polling: waits given a zero or tiny timeout (poll, select, epoll_wait with 0 ms; sleeps
under a millisecond) in a loop, per thread and syscall; and reads that fail with EAGAIN (a
non-blocking fd read before it is ready), per syscall.

Thresholds, such calls per second: info 20, warning 100, critical 1000."""

from __future__ import annotations

import errno

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c

KIND = "polling"
NEEDS = ("timeouts",)
ADVICE = "wait on the event itself (a blocking wait, or a timeout that lets the thread sleep)"
LEVELS = (20.0, 100.0, 1000.0)
MIN_CALLS = 50
EAGAIN_CALLS = (*c.READ_CALLS, "accept", "accept4")


def detect(span: Span) -> list[Finding]:
    out = []
    for (tid, syscall), classes in span.table("timeouts").items():
        zero, tiny = classes[0], classes[1]
        busy = zero + tiny
        per_s = span.per_s(busy)
        sev = c.level(per_s, *LEVELS)
        if sev is None or busy < MIN_CALLS:
            continue
        how = "a zero timeout" if zero >= tiny else "a timeout under 1 ms"
        if "sleep" in syscall:
            how = "sleeps under 1 ms" if tiny >= zero else "zero-length sleeps"
        where = {**c.thread_where(span, tid), "syscall": syscall}
        out.append(c.finding(
            (KIND, ADVICE), sev,
            f"thread {where['thread']} calls {syscall} {c.rate(per_s)} with {how} "
            f"({c.pct(busy, sum(classes)):.0f} % of its calls)", span, ("calls_per_s", per_s),
            {"zero_timeout": int(zero), "under_1ms": int(tiny), "calls": int(sum(classes))},
            where, ("thread", "syscall")))
    for name, (calls, errors) in span.syscalls().items():
        again = errors.get(errno.EAGAIN, 0)
        per_s = span.per_s(again)
        sev = c.level(per_s, *LEVELS)
        if name not in EAGAIN_CALLS or sev is None or again < MIN_CALLS:
            continue
        where = {**c.thread_where(span, c.top_thread(span, (name,), column=2)),
                 "syscall": name}
        by = f" (most by thread {where['thread']})" if "thread" in where else ""
        out.append(c.finding(
            (KIND, ADVICE), sev,
            f"{name} returned EAGAIN {c.rate(per_s)}, {c.pct(again, calls):.0f} % of its calls: "
            f"a non-blocking read before data is there{by}", span, ("calls_per_s", per_s),
            {"eagain": int(again), "calls": int(calls)}, where, ("thread", "syscall")))
    return out
