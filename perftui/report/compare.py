"""The diff of two session summaries: metric deltas, regressions, what only one side has.

"Worse" is defined per metric (``worse``): higher CPU, RSS, RSS growth, I/O and syscall call
rates and function shares are worse; byte volumes and start RSS are workload, not quality,
and are shown without a verdict.  Volumes are compared per second of session so sessions of
different lengths compare fairly.  A regression needs both a relative change above the
threshold and an absolute change above the metric's noise floor (so 0.1% -> 0.3% CPU is not
a +200% regression).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HIGHER = "higher"
MiB = 1024 * 1024


@dataclass(frozen=True)
class Metric:
    key: str  # "section.field" in the summary; "/s" suffix: divided by duration_s
    label: str
    worse: str | None  # HIGHER, or None when a change is not good or bad in itself
    floor: float  # smallest absolute change that can count as a regression
    unit: str  # "percent", "bytes", "bytes/s", "count/s"


METRICS = (
    Metric("cpu.avg_percent", "CPU average", HIGHER, 1.0, "percent"),
    Metric("cpu.max_percent", "CPU max", HIGHER, 5.0, "percent"),
    Metric("memory.rss_start_bytes", "RSS at start", None, MiB, "bytes"),
    Metric("memory.rss_end_bytes", "RSS at end", HIGHER, MiB, "bytes"),
    Metric("memory.rss_max_bytes", "RSS max", HIGHER, MiB, "bytes"),
    Metric("memory.rss_growth_bytes_per_s", "RSS growth", HIGHER, 1024.0, "bytes/s"),
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


def compare(a: dict[str, Any], b: dict[str, Any], threshold: float = 5.0) -> dict[str, Any]:
    """The diff of two report dicts (``perftui diff --json``, docs/report-json.md)."""
    metrics = []
    for m in METRICS:
        row = _change(_value(a, m.key), _value(b, m.key), m.worse, m.floor, threshold)
        metrics.append({"metric": m.key, "label": m.label, "unit": m.unit, **row})
    out: dict[str, Any] = {"threshold_percent": threshold, "metrics": metrics}
    ca, cb = (r.get("net", {}).get("connections") or [] for r in (a, b))
    out["connections"] = _only([_conn_key(c) for c in ca], [_conn_key(c) for c in cb])
    out["threads"] = _rows(_by_name(a.get("threads", []), "name", "cpu_percent_avg"),
                           _by_name(b.get("threads", []), "name", "cpu_percent_avg"),
                           None, 0.0, threshold)
    if "files" in a or "files" in b:
        out["files"] = _only([str(f.get("path")) for f in a.get("files", [])],
                             [str(f.get("path")) for f in b.get("files", [])])
    # Hooks for the eBPF and stack probes' sections (see docs/report-json.md for the rows).
    for section, name, value, floor in (("syscalls", "name", "calls", 1.0),
                                        ("functions", "name", "total_percent", 1.0)):
        if section in a and section in b:  # one side without the probe: nothing to compare
            ra, rb = _by_name(a[section], name, value), _by_name(b[section], name, value)
            if section == "syscalls":  # calls per second, like the I/O calls
                ra = {k: v / (a.get("duration_s") or 1.0) for k, v in ra.items()}
                rb = {k: v / (b.get("duration_s") or 1.0) for k, v in rb.items()}
            out[section] = _rows(ra, rb, HIGHER, floor, threshold, absent=0.0)
    out["regressions"] = [m["metric"] for m in metrics if m["regression"]] + [
        f"{s}.{r['name']}" for s in ("syscalls", "functions") for r in out.get(s, [])
        if r["regression"]]
    return out
