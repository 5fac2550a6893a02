"""Many small reads or writes on one file (bytes per file from the eBPF probe; sockets are
chatty_io's).

Thresholds: calls per second of a file whose calls average under SMALL bytes: info 200,
warning 500, critical 5000."""

from __future__ import annotations

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c

KIND = "small_io"
NEEDS = ("files",)
ADVICE = "buffer: read or write in blocks of a few KiB (or more) instead of a few bytes"
LEVELS = (200.0, 500.0, 5000.0)
SMALL = 1024  # bytes per call
WRITE_CALLS = ("write", "writev", "pwrite64", "pwritev", "pwritev2", "sendto", "sendmsg")


def detect(span: Span) -> list[Finding]:
    out = []
    for path, (rb, wb, reads, writes) in span.table("files").items():
        if not path.startswith("/"):  # sockets, pipes, and kinds summed under "(...)"
            continue
        calls = reads + writes
        avg = (rb + wb) / calls if calls else 0.0
        per_s = span.per_s(calls)
        sev = c.level(per_s, *LEVELS)
        if sev is None or avg >= SMALL:
            continue
        verb, syscalls = ("writes", WRITE_CALLS) if writes >= reads else ("reads", c.READ_CALLS)
        where = {**c.thread_where(span, c.top_thread(span, syscalls)), "path": path}
        by = f" by thread {where['thread']}" if "thread" in where else ""
        out.append(c.finding(
            (KIND, ADVICE), sev,
            f"{path}: {c.rate(per_s)} {verb} of {c.size(avg)} each on average{by}", span,
            ("calls_per_s", per_s),
            {"reads": int(reads), "writes": int(writes), "bytes_per_call": round(avg, 1)},
            where, ("path",)))
    return out
