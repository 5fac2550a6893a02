"""A chatty protocol: many small sends and receives on the connections to one peer (calls
and bytes per connection from the eBPF probe).

Thresholds: calls per second to one peer averaging under SMALL bytes: info 100, warning
500, critical 5000."""

from __future__ import annotations

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c

KIND = "chatty_io"
NEEDS = ("net",)
ADVICE = "batch: send fewer, larger messages (pipelining, buffered writes)"
LEVELS = (100.0, 500.0, 5000.0)
SMALL = 512  # bytes per call
SOCKET_CALLS = ("write", "writev", "sendto", "sendmsg", "read", "readv", "recvfrom",
                "recvmsg")


def detect(span: Span) -> list[Finding]:
    peers: dict[str, list[float]] = {}  # peer -> sent, received, sends, receives
    for conn, d in span.conns().values():
        p = peers.setdefault(conn.peer, [0.0, 0.0, 0.0, 0.0])
        for i, v in enumerate(d):
            p[i] += v
    out = []
    for peer, (sent, recv, sends, recvs) in peers.items():
        calls = sends + recvs
        avg = (sent + recv) / calls if calls else 0.0
        per_s = span.per_s(calls)
        sev = c.level(per_s, *LEVELS)
        if sev is None or avg >= SMALL:
            continue
        where = {**c.thread_where(span, c.top_thread(span, SOCKET_CALLS)), "remote": peer}
        out.append(c.finding(
            (KIND, ADVICE), sev,
            f"{peer}: {c.rate(span.per_s(sends))} sends and {c.rate(span.per_s(recvs))} "
            f"receives of {c.size(avg)} each on average", span, ("calls_per_s", per_s),
            {"sends": int(sends), "receives": int(recvs), "bytes_per_call": round(avg, 1)},
            where, ("remote",)))
    return out
