"""The same file opened again and again (per thread and path, from the eBPF probe's lookups).

Thresholds: opens of one path by one thread per second: info 20, warning 100, critical
1000; at least MIN_OPENS in the window (a burst at start-up is not a habit)."""

from __future__ import annotations

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c
from perftui.model.sysextra import OTHER_PATHS

KIND = "repeated_open"
NEEDS = ("paths",)
ADVICE = "keep the file open, or read it once and cache its content"
INFO, WARN, CRIT = 20.0, 100.0, 1000.0
MIN_OPENS = 50


def detect(span: Span) -> list[Finding]:
    paths = span.table("paths")
    by_tid: dict[int, float] = {}
    by_path: dict[str, float] = {}
    for (path, tid), d in paths.items():
        by_tid[tid] = by_tid.get(tid, 0.0) + d[0]
        by_path[path] = by_path.get(path, 0.0) + d[0]
    files = span.table("files")
    out = []
    for (path, tid), (opens, _stats, failed, _sfail) in paths.items():
        if opens < MIN_OPENS or path == OTHER_PATHS:
            continue
        per_s = span.per_s(opens)
        sev = c.level(per_s, INFO, WARN, CRIT)
        if sev is None:
            continue
        share = c.pct(opens, by_tid[tid])
        full = span.path(path)  # (the files table has absolute paths)
        read = files.get(full, (0.0,))[0]
        each = read / by_path[path] if by_path[path] else 0.0
        tail = f", {c.size(each)} read each time" if each else ""
        fails = f", {c.pct(failed, opens):.0f} % of them failed" if failed else ""
        where = {**c.thread_where(span, tid), "path": full}
        out.append(c.finding(
            (KIND, ADVICE), sev,
            f"{full} opened {c.rate(per_s)} by thread {where['thread']}, {share:.0f} % of its "
            f"opens{tail}{fails}", span, ("opens_per_s", per_s),
            {"opens": int(opens), "failed": int(failed), "share_percent": round(share, 1),
             "read_bytes_per_open": round(each, 1)}, where, ("path", "thread")))
    return out
