"""Threads of the target queueing on one lock: many waits on one futex (not the GIL) by
several threads, woken by others, each wait short (the holder keeps it briefly but often),
while the waiting threads have work to do (they run between waits).

An idle pool also waits in futexes (a queue's get, an event's wait), but its threads do not
run between waits and wait long: it is not contention (see docs/findings.md).

Thresholds, threads waiting for the lock on average: info 0.05, warning 0.3, critical 1.0;
and at least MIN_WAITS_PER_S waits a second, waits of MAX_MEAN_WAIT_S at most on average,
waiters that ran MIN_WAITER_CPU of a core."""

from __future__ import annotations

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c
from perftui.findings.kinds.futexes import is_gil, locks

KIND = "lock_contention"
NEEDS = ("futex", "procfs")
ADVICE = "shorten the critical section, split the lock, or use fewer threads"
LEVELS = (0.05, 0.3, 1.0)
MIN_WAITS_PER_S = 50.0
MAX_MEAN_WAIT_S = 0.05
MIN_WAITER_CPU = 0.1  # cores


def detect(span: Span) -> list[Finding]:
    python = span.python()
    out = []
    for lk in locks(span):
        if len(lk.waiters) < 2 or not lk.wakers or is_gil(lk, python):
            continue
        waits_per_s = span.per_s(lk.waits)
        mean = lk.wait_s / lk.waits if lk.waits else 0.0
        waiting = span.per_s(lk.wait_s)
        sev = c.level(waiting, *LEVELS)
        busy = span.per_s(lk.cpu_of_waiters(span))
        if sev is None or waits_per_s < MIN_WAITS_PER_S or mean > MAX_MEAN_WAIT_S \
                or busy < MIN_WAITER_CPU:
            continue
        tid = max(lk.waiters, key=lambda t: lk.waiters[t])
        where = {**c.thread_where(span, tid), "address": hex(lk.address)}
        out.append(c.finding(
            (KIND, ADVICE), sev,
            f"{len(lk.waiters)} threads queue on the lock at {hex(lk.address)}: "
            f"{c.rate(waits_per_s)} waits of {mean * 1e6:.0f} us on average, {waiting:.2f} "
            f"threads waiting on average; thread {where['thread']} waits most", span,
            ("threads_waiting", waiting),
            {"waiters": len(lk.waiters), "wakers": len(lk.wakers), "waits": int(lk.waits),
             "mean_wait_us": round(mean * 1e6, 1), "waiter_cpu_cores": round(busy, 3)},
            where, ("address",)))
    return out
