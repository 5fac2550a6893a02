"""A new connection per request: many connections opened to one remote endpoint (the
per-peer connection counts of the eBPF probe; a server's own clients are theirs to pool).

Thresholds, new connections to one peer per second: info 1, warning 5, critical 50; at least
MIN_CONNS in the window."""

from __future__ import annotations

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c
from perftui.model.peers import UNKNOWN

KIND = "connection_churn"
NEEDS = ("net",)
ADVICE = "keep connections open and reuse them (a connection pool, HTTP keep-alive)"
LEVELS = (1.0, 5.0, 50.0)
MIN_CONNS = 10
CONNECT_CALLS = ("connect",)


def detect(span: Span) -> list[Finding]:
    out = []
    for peer, (role, new) in span.new_connections().items():
        per_s = span.per_s(new)
        sev = c.level(per_s, *LEVELS)
        if role != "client" or peer == UNKNOWN or sev is None or new < MIN_CONNS:
            continue
        where = {**c.thread_where(span, c.top_thread(span, CONNECT_CALLS)), "remote": peer}
        by = f" (most by thread {where['thread']})" if "thread" in where else ""
        out.append(c.finding(
            (KIND, ADVICE), sev,
            f"a new connection to {peer} {c.rate(per_s)} ({int(new)} in "
            f"{span.seconds:.0f} s){by}", span, ("connections_per_s", per_s),
            {"connections": int(new)}, where, ("remote",)))
    return out
