"""The diff of two session summaries: metric deltas, regressions, what only one side has.

"Worse" is defined per metric (``worse``): higher CPU, RSS, RSS growth, I/O call rates and
function shares (and samples per CPU second) are worse; byte volumes, start RSS and the
per-syscall call rates are workload, not quality, and are shown without a verdict.
Volumes are compared per second of session so sessions of different lengths compare
fairly.  A regression needs both a relative change above the threshold and an absolute
change above the metric's noise floor (so 0.1% -> 0.3% CPU is not a +200% regression).

Cost follows the workload: three times the requests take about three times the CPU and the
calls.  When both sessions moved TCP bytes and B moved more, CPU and call rates are judged
per byte of that workload (B's value divided by B's workload over A's): a program that does
more work at the same cost per unit is not a regression, one that does the same work at a
higher cost is.  When B moved less, they are judged as they are.  The CPU maximum is not
judged when B moved more than the threshold more: a peak follows how the load fills the
sampling intervals (a burst shorter than one reads lower).

RSS growth (a least-squares slope) is judged only when it adds up to more than a MiB over the
shorter session: a server's heap steps up by a few hundred KiB under load, and where in a
short session the step falls changes the slope more than its height does.

Function figures are sample counts: a change is judged only beyond three standard errors of
the sampling (binomial for a share, Poisson for samples per CPU second), so a few hundred
samples do not flag a function by chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from perftui.report.compare_findings import compare_findings
from perftui.report.compare_tree import compare_trees

HIGHER = "higher"
MiB = 1024 * 1024
SYSCALL_FLOOR = 1.0  # calls/s
SHARE_FLOOR = 1.0  # percentage points of the samples
PER_CPU_FLOOR = 2.0  # samples per CPU second (py-spy samples 100 per second of a thread)
MIN_CPU_S = 0.5  # CPU seconds each side needs before samples per CPU second are judged
NOISE_SE = 3.0  # sampled figures: a change must exceed this many standard errors
WORK_FLOOR = 1024.0  # bytes/s each side must move for it to measure the workload
# What measures the workload: (section, fields, label).  TCP bytes only: file bytes include
# one-off reads (an interpreter's start reads a MiB of modules) that would excuse a CPU rise
# as "more work", and a batch job given 3x the input runs 3x as long at the same rates.
WORK_MEASURES = (("net", ("sent_bytes", "recv_bytes"), "TCP bytes"),)
# (RSS growth too: a server's heap grows with the requests it serves)
PER_WORK = ("cpu.avg_percent", "io.read_calls/s", "io.write_calls/s",
            "memory.rss_growth_bytes_per_s")
# A peak follows how the load fills the sampling intervals: with more work, not judged.
PEAKS = ("cpu.max_percent",)


@dataclass(frozen=True)
class Metric:
    key: str  # "section.field" in the summary; "/s" suffix: divided by duration_s
    label: str
    worse: str | None  # HIGHER, or None when a change is not good or bad in itself
    floor: float  # smallest absolute change that can count as a regression
    unit: str  # "percent", "bytes", "bytes/s", "count/s"
    # A rate's floor as a total over the shorter session: 130 KiB of allocator churn in a
    # 12 s session is a slope of 10 KiB/s, and no leak.
    floor_total: float = 0.0


METRICS = (
    Metric("cpu.avg_percent", "CPU average", HIGHER, 1.0, "percent"),
    Metric("cpu.max_percent", "CPU max", HIGHER, 5.0, "percent"),
    Metric("memory.rss_start_bytes", "RSS at start", None, MiB, "bytes"),
    Metric("memory.rss_end_bytes", "RSS at end", HIGHER, MiB, "bytes"),
    Metric("memory.rss_max_bytes", "RSS max", HIGHER, MiB, "bytes"),
    Metric("memory.rss_growth_bytes_per_s", "RSS growth", HIGHER, 1024.0, "bytes/s", MiB),
    Metric("io.read_calls/s", "read calls", HIGHER, 1.0, "count/s"),
    Metric("io.write_calls/s", "write calls", HIGHER, 1.0, "count/s"),
    Metric("io.read_bytes/s", "bytes read", None, 1024.0, "bytes/s"),
    Metric("io.write_bytes/s", "bytes written", None, 1024.0, "bytes/s"),
    Metric("net.sent_bytes/s", "TCP sent", None, 1024.0, "bytes/s"),
    Metric("net.recv_bytes/s", "TCP received", None, 1024.0, "bytes/s"),
)


def _value(report: dict[str, Any], key: str) -> float | None:
    per_s = key.endswith("/s")
    section, name = key.removesuffix("/s").split(".", 1)
    value = (report.get(section) or {}).get(name)
    if not isinstance(value, (int, float)):
        return None
    if per_s:
        duration = report.get("duration_s") or 0.0
        return value / duration if duration > 0 else None
    return float(value)


def _change(a: float | None, b: float | None, worse: str | None, floor: float,
            threshold: float) -> dict[str, Any]:
    delta = pct = None
    regression = improvement = False
    if a is not None and b is not None:
        delta = b - a
        # From zero any rise is an infinite change: JSON has no infinity, so null.
        pct = delta / abs(a) * 100 if a != 0 else None
        if worse == HIGHER:
            regression = delta > floor and (pct is None or pct > threshold)
            # The mirror image: better by more than the threshold and the noise floor.
            improvement = delta < -floor and pct is not None and pct < -threshold
    return {"a": a, "b": b, "delta": delta, "change_percent": pct, "worse_if": worse,
            "regression": regression, "improvement": improvement}


def _conn_key(c: dict[str, Any]) -> str:
    # The local port of an outgoing connection changes every run: the peer identifies it.
    remote = str(c.get("remote", ""))
    return str(c.get("local", "")) if remote.endswith(":*") or not remote else remote


def _only(a: list[str], b: list[str]) -> dict[str, list[str]]:
    sa, sb = set(a), set(b)
    return {"only_a": sorted(sa - sb), "only_b": sorted(sb - sa)}


def _by_name(rows: list[dict[str, Any]], name: str, value: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for row in rows:
        v = row.get(value)
        if isinstance(v, (int, float)):
            out[str(row.get(name))] = out.get(str(row.get(name)), 0.0) + float(v)
    return out


def _rows(a: dict[str, float], b: dict[str, float], worse: str | None, floor: float,
          threshold: float, absent: float | None = None) -> list[dict[str, Any]]:
    """Rows by name; ``absent`` stands for a name one side lacks (0 calls, 0% of samples)."""
    rows = [{"name": n, **_change(a.get(n, absent), b.get(n, absent), worse, floor, threshold)}
            for n in sorted(set(a) | set(b))]
    rows.sort(key=lambda r: -abs(r["delta"] or 0.0))
    return rows


def workload(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any] | None:
    """The work each session did per second, by the first measure both moved enough of."""
    for section, fields, label in WORK_MEASURES:
        rates = []
        for report in (a, b):
            values = [_value(report, f"{section}.{f}/s") for f in fields]
            rates.append(sum(v for v in values if v is not None))
        if min(rates) >= WORK_FLOOR:
            return {"measure": label, "a": rates[0], "b": rates[1], "ratio": rates[1] / rates[0]}
    return None


def compare(a: dict[str, Any], b: dict[str, Any], threshold: float = 5.0) -> dict[str, Any]:
    """The diff of two report dicts (``perftui diff --json``, docs/report-json.md)."""
    work = workload(a, b)
    metrics = []
    shorter = min(float(r.get("duration_s") or 0.0) for r in (a, b))
    for m in METRICS:
        va, vb = _value(a, m.key), _value(b, m.key)
        floor = max(m.floor, m.floor_total / shorter) if m.floor_total and shorter > 0 else m.floor
        row = _change(va, vb, m.worse, floor, threshold)
        if work is not None and m.key in PER_WORK and work["ratio"] > 1:
            # More work: judged per unit of it, B's value scaled to A's workload.  (Less work
            # is judged as is: the fixed costs that do not shrink with it are not a
            # regression, and less work is no excuse for more cost.)
            per = _change(va, None if vb is None else vb / work["ratio"], m.worse, floor,
                          threshold)
            row.update(per_work=per, regression=per["regression"],
                       improvement=per["improvement"])
        elif work is not None and m.key in PEAKS and work["ratio"] > 1 + threshold / 100:
            row.update(worse_if=None, regression=False, improvement=False)
        metrics.append({"metric": m.key, "label": m.label, "unit": m.unit, **row})
    out: dict[str, Any] = {"threshold_percent": threshold, "metrics": metrics,
                           "workload": work}
    ca, cb = (r.get("net", {}).get("connections") or [] for r in (a, b))
    out["connections"] = _only([_conn_key(c) for c in ca], [_conn_key(c) for c in cb])
    out["threads"] = _rows(_by_name(a.get("threads", []), "name", "cpu_percent_avg"),
                           _by_name(b.get("threads", []), "name", "cpu_percent_avg"),
                           None, 0.0, threshold)
    if "files" in a or "files" in b:
        out["files"] = _only([str(f.get("path")) for f in a.get("files", [])],
                             [str(f.get("path")) for f in b.get("files", [])])
    # One side without the probe: nothing to compare.
    if "syscalls" in a and "syscalls" in b:
        # Calls per second follow the workload (3x the requests, 3x the accepts): shown with
        # their change, not judged, like byte volumes.
        out["syscalls"] = _rows(_per_s(a, "syscalls", "count"), _per_s(b, "syscalls", "count"),
                                None, SYSCALL_FLOOR, threshold, absent=0.0)
    if "functions" in a and "functions" in b:
        out["functions"] = _functions(a, b, threshold)
    tree = compare_trees(a, b)
    if tree is not None:
        out["tree"] = tree
    if "findings" in a and "findings" in b:
        out["findings"] = compare_findings(a, b, threshold)
    out["regressions"] = [m["metric"] for m in metrics if m["regression"]] + [
        f"functions.{r['name']}" for r in out.get("functions", []) if r["regression"]]
    return out


def _per_s(report: dict[str, Any], section: str, value: str) -> dict[str, float]:
    # Over the span the section's counts cover, when the report says it (syscalls)
    duration = report.get(f"{section}_span_s") or report.get("duration_s") or 0.0
    rows = _by_name(report.get(section) or [], "name", value)
    return {k: v / duration for k, v in rows.items()} if duration > 0 else {}


def cpu_seconds(report: dict[str, Any]) -> float | None:
    """The process's CPU time over the report's span (its mean CPU times its length)."""
    avg = (report.get("cpu") or {}).get("avg_percent")
    duration = report.get("duration_s")
    if not isinstance(avg, (int, float)) or not isinstance(duration, (int, float)):
        return None
    return avg / 100 * duration


def _functions(a: dict[str, Any], b: dict[str, Any], threshold: float) -> list[dict[str, Any]]:
    """Functions by their share of the samples, and by their samples per second of the
    process's CPU time: a share can stay put while a function's cost per second of work
    went up (the whole program slowed down with it).  A regression is either, beyond the
    sampling noise."""
    share_a = _by_name(a["functions"], "name", "total_percent")
    share_b = _by_name(b["functions"], "name", "total_percent")
    count_a = _by_name(a["functions"], "name", "total_samples")
    count_b = _by_name(b["functions"], "name", "total_samples")
    n_a, n_b = (sum(_by_name(r["functions"], "name", "self_samples").values()) for r in (a, b))
    cpu_a, cpu_b = cpu_seconds(a), cpu_seconds(b)
    # py-spy's samples are of threads not waiting in a syscall, which is not quite on-CPU:
    # over a fraction of a CPU second the ratio is noise, shown but not judged.
    judged = HIGHER if min(cpu_a or 0.0, cpu_b or 0.0) >= MIN_CPU_S else None
    rows = []
    for name in sorted(set(share_a) | set(share_b)):
        pa, pb = share_a.get(name, 0.0), share_b.get(name, 0.0)
        noise = NOISE_SE * 100 * math.sqrt(_share_var(pa / 100, n_a) + _share_var(pb / 100, n_b))
        row = {"name": name, **_change(pa, pb, HIGHER, max(SHARE_FLOOR, noise), threshold)}
        ka, kb = count_a.get(name, 0.0), count_b.get(name, 0.0)
        if cpu_a and cpu_b:
            noise = NOISE_SE * math.sqrt(ka / cpu_a ** 2 + kb / cpu_b ** 2)
            per = _change(ka / cpu_a, kb / cpu_b, judged, max(PER_CPU_FLOOR, noise), threshold)
        else:
            per = _change(None, None, judged, PER_CPU_FLOOR, threshold)
        row["samples_per_cpu_s"] = per
        row["regression"] = row["regression"] or per["regression"]
        rows.append(row)
    rows.sort(key=lambda r: -abs(r["delta"] or 0.0))
    return rows


def _share_var(p: float, n: float) -> float:
    """The variance of a share ``p`` estimated from ``n`` samples (binomial)."""
    return p * (1 - p) / n if n > 0 else 0.0
