"""Syscalls failing at a high rate, per syscall and errno.  Left out: futex (its EAGAIN and
ETIMEDOUT are how locks work), EINTR (a signal), and the EAGAIN of reads and the timeouts of
waits (polling's).

Thresholds, failures per second: info 10, warning 50, critical 1000; and at least
MIN_SHARE % of the syscall's calls."""

from __future__ import annotations

import errno

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c
from perftui.findings.kinds.polling import EAGAIN_CALLS
from perftui.model.syscalls import errno_name

KIND = "syscall_errors"
NEEDS = ("errors",)
ADVICE = "fix the caller: check once and remember, or stop asking for what is not there"
LEVELS = (10.0, 50.0, 1000.0)
MIN_SHARE = 10.0
MIN_ERRORS = 50
IGNORED = {errno.EINTR, errno.ETIMEDOUT}


def detect(span: Span) -> list[Finding]:
    out = []
    for name, (calls, errors) in span.syscalls().items():
        if name == "futex":
            continue
        for err, count in errors.items():
            if err in IGNORED or (err == errno.EAGAIN and name in EAGAIN_CALLS):
                continue
            per_s = span.per_s(count)
            share = c.pct(count, max(calls, count))
            sev = c.level(per_s, *LEVELS)
            if sev is None or share < MIN_SHARE or count < MIN_ERRORS:
                continue
            where = {**c.thread_where(span, c.top_thread(span, (name,), column=2)),
                     "syscall": name, "errno": errno_name(err)}
            by = f", most by thread {where['thread']}" if "thread" in where else ""
            out.append(c.finding(
                (KIND, ADVICE), sev,
                f"{name} fails with {errno_name(err)} {c.rate(per_s)} ({share:.0f} % of its "
                f"calls){by}", span, ("errors_per_s", per_s),
                {"errors": int(count), "calls": int(calls), "errno": errno_name(err),
                 "share_percent": round(share, 1)}, where, ("syscall", "errno")))
    return out
