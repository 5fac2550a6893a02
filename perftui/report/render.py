"""``perftui report``: the summary of a session as a table (rich) or JSON (docs/report-json.md)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from perftui.model.syscalls import PERCENTILE_MIN_CALLS as MIN_CALLS
from perftui.report.jsonout import dumps
from perftui.safetext import clean_markup
from perftui.units import (
    NA,
    fmt_bytes,
    fmt_count,
    fmt_duration,
    fmt_grown,
    fmt_growth,
    fmt_latency,
    fmt_percent,
)

# Calls a percentile needs before it is shown (the panes' rule)
PERCENTILE_MIN_CALLS = {f"p{round(q * 100)}_us": n for q, n in MIN_CALLS.items()}
GROWTH_RATE_MIN_S = 60.0  # shorter: "+4.1 MiB in 8s", not a per-minute rate


def to_json(report: dict[str, Any]) -> tuple[str, list[str]]:
    """The report as strict JSON, and a warning for each kind of value it could not hold."""
    return dumps(report)


def _headline(report: dict[str, Any]) -> Table:
    cpu, mem, io, net = report["cpu"], report["memory"], report["io"], report["net"]
    rows = [
        ("CPU", "average", fmt_percent(cpu["avg_percent"])),
        ("", "max", fmt_percent(cpu["max_percent"])),
        ("Memory", "RSS at start", fmt_bytes(mem["rss_start_bytes"])),
        ("", "RSS at end", fmt_bytes(mem["rss_end_bytes"])),
        ("", "RSS max", fmt_bytes(mem["rss_max_bytes"])),
        ("", "RSS growth", _growth(report)),
        ("I/O", "read", f"{fmt_bytes(io['read_bytes'])} in {fmt_count(io['read_calls'])} calls"),
        ("", "written",
         f"{fmt_bytes(io['write_bytes'])} in {fmt_count(io['write_calls'])} calls"),
        ("TCP", "sent", fmt_bytes(net["sent_bytes"])),
        ("", "received", fmt_bytes(net["recv_bytes"])),
    ]
    t = Table(show_header=False, box=None)
    t.add_column(style="bold")
    t.add_column()
    t.add_column(justify="right")
    for row in rows:
        t.add_row(*row)
    return t


def _growth(report: dict[str, Any]) -> str:
    mem, duration = report["memory"], report["duration_s"]
    start, end = mem["rss_start_bytes"], mem["rss_end_bytes"]
    if duration < GROWTH_RATE_MIN_S:
        return fmt_grown(end - start if start is not None and end is not None else None,
                         duration)
    return fmt_growth(mem["rss_growth_bytes_per_s"])


def _coverage(report: dict[str, Any]) -> str:
    cov = report.get("coverage") or {}
    parts = []
    launched = cov.get("launched")
    if launched is not None:
        parts.append(f"started by perftui, held {launched['held_s']:.2f}s before its exec"
                     + (f" ({launched['msg']})" if launched.get("msg") else ""))
    elif cov.get("attached_after_s") is not None:
        parts.append(f"attached {_span(cov['attached_after_s'])} into its life")
    if cov.get("end_seen_by"):
        unseen = cov.get("unobserved_s") or 0.0
        parts.append(f"its exit seen by {cov['end_seen_by']}"
                     + (f"; its last {unseen:.2f}s of memory and I/O unread" if unseen else ""))
    return "; ".join(parts)


def render(report: dict[str, Any], console: Console) -> None:
    console.print(f"[bold]pid {report['pid']}[/] {clean_markup(report['command'])}: "
                  f"{_span(report['duration_s'])}, {report['samples']} samples")
    coverage = _coverage(report)
    if coverage:
        console.print(clean_markup(coverage))
    _findings(report, console)
    console.print(_headline(report))
    peers = report["net"].get("peers") or []
    if any(p["connections"] > 1 for p in peers):  # else the connections say the same
        t = Table("peer", "connections", "sent", "received", title="Peers",
                  title_justify="left", box=None)
        for p in peers[:20]:
            t.add_row(clean_markup(p["peer"]), fmt_count(p["connections"]),
                      fmt_bytes(p["sent_bytes"]), fmt_bytes(p["recv_bytes"]))
        console.print(t)
    conns = report["net"]["connections"]
    if conns:
        t = Table("local", "remote", "state", "sent", "received", title="TCP connections",
                  title_justify="left", box=None)
        for c in conns:
            t.add_row(clean_markup(c["local"]), clean_markup(c["remote"]), c.get("state", ""),
                      fmt_bytes(c["sent_bytes"]), fmt_bytes(c["recv_bytes"]))
        console.print(t)
    if report["threads"]:
        t = Table("tid", "thread", "avg CPU", title="Threads", title_justify="left", box=None)
        for th in report["threads"]:
            t.add_row(str(th["tid"]), clean_markup(th["name"]), fmt_percent(th["cpu_percent_avg"]))
        console.print(t)
    _syscalls(report.get("syscalls") or [], console)
    files = report.get("files") or []
    if files:
        t = Table("path", "read", "written", "calls", title="Files", title_justify="left",
                  box=None)
        for f in files[:20]:
            late = " *" if f.get("opened_before_attach") else ""
            t.add_row(clean_markup(f["path"]) + late, fmt_bytes(f["read_bytes"]),
                      fmt_bytes(f["write_bytes"]),
                      fmt_count(f.get("reads", 0) + f.get("writes", 0)))
        console.print(t)
        if any(f.get("opened_before_attach") for f in files[:20]):
            console.print("* opened before perftui attached: named from /proc")
    functions = report.get("functions") or []
    if functions:
        t = Table("function", "self", "total", "samples", title="Functions",
                  title_justify="left", box=None)
        for fn in functions[:20]:
            t.add_row(clean_markup(fn["name"]), fmt_percent(fn["self_percent"]),
                      fmt_percent(fn["total_percent"]), fmt_count(fn["total_samples"]))
        console.print(t)


SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "dim"}


def _findings(report: dict[str, Any], console: Console) -> None:
    """Findings first: what the tool points at, each with its fix."""
    found = report.get("findings")
    if found is None:
        return
    if not found:
        console.print("Findings: none")
    else:
        console.print("[bold]Findings[/]")
    for f in found:
        style = SEVERITY_STYLE.get(f["severity"], "")
        where = f["where"].get("function")
        console.print(f"  [{style}]{f['severity']:<8}[/] {f['kind']}: "
                      f"{clean_markup(f['summary'])}")
        console.print(f"           [dim]fix: {clean_markup(f['advice'])}"
                      + (f"; in {clean_markup(where)}" if where else "") + "[/]")
    for m in report.get("findings_missing") or []:
        console.print(f"  [dim]not judged: {m['kind']}: {clean_markup(m['why'])}[/]")


def _syscalls(rows: list[dict[str, Any]], console: Console) -> None:
    if not rows:
        return
    t = Table("syscall", "calls", "errors", "p50", "p95", "p99", title="Syscalls",
              title_justify="left", box=None)
    for row in rows[:20]:
        t.add_row(clean_markup(row["name"]), fmt_count(row["count"]), fmt_count(row["errors"]),
                  *(_percentile(row, key) for key in PERCENTILE_MIN_CALLS))
    console.print(t)
    console.print("[dim]latency percentiles from "
                  + ", ".join(f"{k.removesuffix('_us')} {n}" for k, n in
                              PERCENTILE_MIN_CALLS.items()) + " calls on[/]")


def _percentile(row: dict[str, Any], key: str) -> str:
    us = row.get(key)
    if us is None or row["count"] < PERCENTILE_MIN_CALLS[key]:
        return NA
    return fmt_latency(us * 1000)


def _span(seconds: float) -> str:
    """A session's length: a command that lived 3 ms is not "0s"."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else fmt_duration(seconds)
