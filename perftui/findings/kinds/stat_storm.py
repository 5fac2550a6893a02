"""Stat-family calls (stat, lstat, access, readlink...) on the same paths at a high rate:
per path (summed over threads), or per thread over many paths (a search along a path list,
each path probed a few times).

Thresholds, stats per second: one path: info 50, warning 200, critical 2000; one thread over
all paths: info 200, warning 1000, critical 10000.  At least MIN_STATS in the window."""

from __future__ import annotations

from perftui.findings.base import Finding
from perftui.findings.facts import Span
from perftui.findings.kinds import common as c
from perftui.model.sysextra import OTHER_PATHS

KIND = "stat_storm"
NEEDS = ("paths",)
ADVICE = "cache the result of the lookup instead of asking the kernel again"
PATH_LEVELS = (50.0, 200.0, 2000.0)
THREAD_LEVELS = (200.0, 1000.0, 10000.0)
MIN_STATS = 100
TOP_PATHS = 5


def detect(span: Span) -> list[Finding]:
    per_path: dict[str, list[float]] = {}  # path -> stats, failed
    per_path_tid: dict[str, dict[int, float]] = {}
    per_tid: dict[int, dict[str, float]] = {}
    for (path, tid), (_o, stats, _of, failed) in span.table("paths").items():
        if not stats or path == OTHER_PATHS:
            continue
        p = per_path.setdefault(path, [0.0, 0.0])
        p[0] += stats
        p[1] += failed
        per_path_tid.setdefault(path, {})[tid] = stats
        per_tid.setdefault(tid, {})[path] = stats
    out = []
    named: set[int] = set()
    for path, (stats, failed) in per_path.items():
        if stats < MIN_STATS:
            continue
        per_s = span.per_s(stats)
        sev = c.level(per_s, *PATH_LEVELS)
        if sev is None:
            continue
        tids = per_path_tid[path]
        tid = max(tids, key=lambda t: tids[t])
        named.add(tid)
        where = {**c.thread_where(span, tid), "path": span.path(path)}
        share = c.pct(tids[tid], stats)
        # A thread per request: thousands of threads, one lookup each
        who = (f"{share:.0f} % by thread {where['thread']}" if share >= 10 else
               f"by {len(tids):,} threads, {tids[tid]:,.0f} at most each")
        out.append(c.finding(
            (KIND, ADVICE), sev,
            f"{where['path']} looked up {c.rate(per_s)} (stat, access...), "
            f"{c.pct(failed, stats):.0f} % failed; {who}", span,
            ("stats_per_s", per_s),
            {"stats": int(stats), "failed": int(failed), "threads": len(tids)}, where,
            ("path",)))
    for tid, paths in per_tid.items():
        total = sum(paths.values())
        if total < MIN_STATS or tid in named:
            continue
        per_s = span.per_s(total)
        sev = c.level(per_s, *THREAD_LEVELS)
        if sev is None:
            continue
        top = [span.path(p) for p in sorted(paths, key=lambda p: -paths[p])[:TOP_PATHS]]
        where = {**c.thread_where(span, tid), "paths": top}
        out.append(c.finding(
            (KIND, ADVICE), sev,
            f"thread {where['thread']} looks up {c.rate(per_s)} over {len(paths)} paths "
            f"(stat, access...), {top[0]} most", span, ("stats_per_s", per_s),
            {"stats": int(total), "distinct_paths": len(paths)}, where, ("thread",)))
    return out
