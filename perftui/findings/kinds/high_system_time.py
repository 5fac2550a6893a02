"""Most of the process's CPU time spent in the kernel (procfs user and system times): many
small syscalls, page faults, or copying.

Thresholds, system CPU in cores, with its share of all CPU: info 0.05 core and 40 %,
warning 0.15 and 50 %, critical 0.5 and 70 %.  The share says where the time goes; the
cores keep an idle process (0.5 % of a core, most of it in the kernel) quiet."""

from __future__ import annotations

from perftui.findings.base import Finding, rank
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c

KIND = "high_system_time"
NEEDS = ("procfs",)
ADVICE = "batch syscalls (bigger reads and writes, fewer calls), or find what faults pages in"
CORES = (0.05, 0.15, 0.5)
SHARES = (40.0, 50.0, 70.0)


def detect(span: Span) -> list[Finding]:
    now, then = span.now.cpu, span.base.cpu
    if now is None or then is None or span.seconds <= 0:
        return []
    user, system = max(0.0, now[0] - then[0]), max(0.0, now[1] - then[1])
    cores = system / span.seconds
    share = c.pct(system, user + system)
    by_core, by_share = c.level(cores, *CORES), c.level(share, *SHARES)
    if by_core is None or by_share is None:
        return []
    sev = min(by_core, by_share, key=rank)
    tid = _top_system_thread(span)
    where = c.thread_where(span, tid)
    by = f"; thread {where['thread']} most" if where else ""
    return [c.finding(
        (KIND, ADVICE), sev,
        f"{share:.0f} % of the CPU time is in the kernel ({cores * 100:.0f} % of a core){by}",
        span, ("system_percent", cores * 100),
        {"system_share_percent": round(share, 1), "user_s": round(user, 3),
         "system_s": round(system, 3)}, where, ())]


def _top_system_thread(span: Span) -> int | None:
    best, tid = 0.0, None
    for t, (_u, s, _ctx) in span.now.threads.items():
        d = s - span.base.threads.get(t, (0.0, 0.0, 0))[1]
        if d > best:
            best, tid = d, t
    return tid
