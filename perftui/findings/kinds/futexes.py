"""Futex waits per lock: the eBPF probe's rows per (address, thread) summed per lock.

A glibc condition variable or a CPython GIL is several futex words a few bytes apart (a
condvar's two wait groups, the GIL's mutex beside its condvar): addresses closer than
NEAR bytes are taken as one lock."""

from __future__ import annotations

from dataclasses import dataclass, field

from perftui.findings.facts import Span

NEAR = 64


@dataclass
class Lock:
    address: int  # the lowest of its futex words
    waits: float = 0.0
    wait_s: float = 0.0
    timeouts: float = 0.0
    timed: float = 0.0
    wakes: float = 0.0
    woken: float = 0.0
    waiters: dict[int, float] = field(default_factory=dict)  # tid -> seconds waited
    wakers: dict[int, float] = field(default_factory=dict)  # tid -> wakes

    def cpu_of_waiters(self, span: Span) -> float:
        """CPU seconds the waiting threads ran in the span (an idle pool's: about none)."""
        total = 0.0
        for tid in self.waiters:
            now = span.now.threads.get(tid)
            then = span.base.threads.get(tid, (0.0, 0.0, 0))
            if now is not None:
                total += max(0.0, now[0] + now[1] - then[0] - then[1])
        return total


def locks(span: Span) -> list[Lock]:
    """The span's locks, by address (computed once per span: two kinds read them)."""
    cached: list[Lock] | None = span.memo.get("locks")
    if cached is None:
        cached = span.memo["locks"] = _locks(span)
    return cached


def _locks(span: Span) -> list[Lock]:
    rows = sorted(span.table("futex").items())
    out: list[Lock] = []
    last = -NEAR - 1
    for (uaddr, tid), (waits, wait_s, touts, timed, wakes, woken) in rows:
        if not out or uaddr - last > NEAR:
            out.append(Lock(uaddr))
        last = uaddr
        lk = out[-1]
        lk.waits += waits
        lk.wait_s += wait_s
        lk.timeouts += touts
        lk.timed += timed
        lk.wakes += wakes
        lk.woken += woken
        if waits:
            lk.waiters[tid] = lk.waiters.get(tid, 0.0) + wait_s
        if wakes:
            lk.wakers[tid] = lk.wakers.get(tid, 0.0) + wakes
    return out


def is_gil(lock: Lock, python: bool) -> bool:
    """CPython's threads wait for the GIL in timed condvar waits (5 ms, then they ask the
    holder to drop it): the lock most of whose waits are timed, waited on by several threads
    of a Python process."""
    return python and len(lock.waiters) >= 2 and lock.waits > 0 \
        and lock.timed / lock.waits >= 0.5
