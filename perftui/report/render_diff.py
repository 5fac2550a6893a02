"""``perftui diff``: two sessions' summaries side by side, regressions flagged."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from perftui.safetext import clean_markup
from perftui.units import NA, fmt_byte_rate, fmt_bytes, fmt_count, fmt_per_s, fmt_percent

_FMT = {"percent": fmt_percent, "bytes": fmt_bytes, "bytes/s": fmt_byte_rate,
        "count/s": fmt_per_s}


def _pct(row: dict[str, Any]) -> str:
    pct = row["change_percent"]
    if pct is None:
        return "new" if row["delta"] else ""
    return f"{pct:+.1f}%"


def _samples(per_cpu_s: float | None) -> str:
    return fmt_count(per_cpu_s)


def _verdict(row: dict[str, Any]) -> str:
    return "[bold red]REGRESSION[/]" if row["regression"] else ""


def render(diff: dict[str, Any], a_name: str, b_name: str, console: Console) -> None:
    t = Table("metric", "A", "B", "change", "", title=f"A = {clean_markup(a_name)}   "
              f"B = {clean_markup(b_name)}   (threshold {diff['threshold_percent']:g}%)",
              title_justify="left", box=None)
    work = diff.get("workload")
    for row in diff["metrics"]:
        fmt = _FMT[row["unit"]]
        per = row.get("per_work")
        # judged per unit of work: the change that counted is that one
        change = f"{_pct(row)} ({_pct(per)} per byte)" if per else _pct(row)
        t.add_row(row["label"], fmt(row["a"]), fmt(row["b"]), change, _verdict(row))
    console.print(t)
    if work:
        console.print(f"workload: {work['measure']} {fmt_byte_rate(work['a'])} -> "
                      f"{fmt_byte_rate(work['b'])} (x{work['ratio']:.2f}); CPU, call rates and "
                      "RSS growth judged per byte of it")
    rows = diff.get("syscalls") or []
    if rows:
        st = Table("syscalls", "A", "B", "change", "", box=None)
        for row in rows[:20]:
            st.add_row(clean_markup(row["name"]), fmt_per_s(row["a"]), fmt_per_s(row["b"]),
                       _pct(row), _verdict(row))
        console.print(st)
    rows = diff.get("functions") or []
    if rows:
        ft = Table("functions", "A share", "B share", "change", "A per CPU s", "B per CPU s",
                   "change", "", box=None)
        for row in rows[:20]:
            per = row["samples_per_cpu_s"]
            ft.add_row(clean_markup(row["name"]), fmt_percent(row["a"]), fmt_percent(row["b"]),
                       _pct(row), _samples(per["a"]), _samples(per["b"]), _pct(per),
                       _verdict(row))
        console.print(ft)
    threads = [r for r in diff["threads"] if r["a"] is None or r["b"] is None or r["delta"]]
    if threads:
        tt = Table("thread", "A avg CPU", "B avg CPU", "change", box=None)
        for row in threads[:20]:
            tt.add_row(clean_markup(row["name"]), fmt_percent(row["a"]), fmt_percent(row["b"]),
                       _pct(row))
        console.print(tt)
    _tree(diff.get("tree"), console)
    for section in ("connections", "files"):
        only = diff.get(section)
        if only and (only["only_a"] or only["only_b"]):
            for side, names in (("A", only["only_a"]), ("B", only["only_b"])):
                for name in names:
                    console.print(f"{section[:-1]} only in {side}: {clean_markup(name)}")
    _findings(diff.get("findings"), console)
    if diff["regressions"]:
        console.print(f"[bold red]{len(diff['regressions'])} regression(s):[/] "
                      + ", ".join(diff["regressions"]))
    else:
        console.print("no regressions")


def _seconds(v: float | None) -> str:
    return NA if v is None else f"{v:.2f} s"


_TREE_FMT = {"processes": fmt_count, "cpu_s": _seconds, "syscalls": fmt_count,
             "read_bytes": fmt_bytes, "write_bytes": fmt_bytes}


def _tree(tree: dict[str, Any] | None, console: Console) -> None:
    """The process trees' totals (not judged) and the commands only one side ran."""
    if not tree:
        return
    t = Table("process tree", "A", "B", "change", box=None)
    for row in tree["totals"]:
        fmt = _TREE_FMT[row["name"]]
        t.add_row(row["name"], fmt(row["a"]), fmt(row["b"]), _pct(row))
    console.print(t)
    for side, names in (("A", tree["commands"]["only_a"]), ("B", tree["commands"]["only_b"])):
        for name in names:
            console.print(f"command only in {side}: {clean_markup(name)}")


def _findings(rows: dict[str, Any] | None, console: Console) -> None:
    if not rows:
        return
    for label, key in (("new in B", "new"), ("worse in B", "worse"), ("gone in B", "gone")):
        for row in rows.get(key) or []:
            change = f" ({fmt_count(row['a'])} -> {fmt_count(row['b'])} {row['figure']})" \
                if key == "worse" else ""
            console.print(f"finding {label}: [bold]{row['kind']}[/] {row['severity']}: "
                          f"{clean_markup(str(row['summary']))}{change}")
