"""``perftui report``: the summary of a session as a table (rich) or JSON (docs/report-json.md)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from perftui.report.jsonout import dumps
from perftui.safetext import clean_markup
from perftui.units import fmt_bytes, fmt_count, fmt_duration, fmt_growth, fmt_percent


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
        ("", "RSS growth", fmt_growth(mem["rss_growth_bytes_per_s"])),
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


def render(report: dict[str, Any], console: Console) -> None:
    console.print(f"[bold]pid {report['pid']}[/] {clean_markup(report['command'])}: "
                  f"{fmt_duration(report['duration_s'])}, {report['samples']} samples")
    console.print(_headline(report))
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
    for key in ("syscalls", "files", "functions"):
        rows = report.get(key)
        if rows:
            t = Table(*rows[0].keys(), title=key.capitalize(), title_justify="left", box=None)
            for row in rows[:20]:
                t.add_row(*(clean_markup(str(v)) for v in row.values()))
            console.print(t)
