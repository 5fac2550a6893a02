"""``perftui diff``: planted regressions are flagged, and nothing else is."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from perftui.report.compare import compare
from perftui.report.load import summarize
from perftui.session import new_header
from perftui.session.writer import write_frames
from tests.support.cli import perftui
from tests.support.framegen import Conn, GenConfig, frames

BASE = GenConfig(samples=601)
CPU = {"cpu_user": BASE.cpu_user * 1.2, "cpu_system": BASE.cpu_system * 1.2}
GROWTH = {"rss_growth_per_s": 2048}  # +1.2 MB over 10 min on 200 MB: RSS end/max within 5%
WRITES = {"syscw_per_s": BASE.syscw_per_s * 2}
FLAGS = {
    "cpu": {"cpu.avg_percent", "cpu.max_percent"},
    "growth": {"memory.rss_growth_bytes_per_s"},
    "writes": {"io.write_calls/s"},
}


def session(tmp_path: Path, name: str, **changes: Any) -> str:
    path = str(tmp_path / f"{name}.perftui")
    write_frames(path, new_header(BASE.pid), frames(replace(BASE, **changes)))
    return path


def diff(a: str, b: str, threshold: float = 5.0) -> dict[str, Any]:
    return compare(summarize(a)[0], summarize(b)[0], threshold)


def test_exactly_the_planted_regressions_are_flagged(tmp_path: Path) -> None:
    a = session(tmp_path, "a")
    b = session(tmp_path, "b", **CPU, **GROWTH, **WRITES)
    d = diff(a, b)
    assert set(d["regressions"]) == FLAGS["cpu"] | FLAGS["growth"] | FLAGS["writes"]
    rows = {m["metric"]: m for m in d["metrics"]}
    assert rows["cpu.avg_percent"]["change_percent"] == pytest.approx(20.0)
    assert rows["io.write_calls/s"]["b"] == pytest.approx(600)
    assert rows["memory.rss_growth_bytes_per_s"]["change_percent"] is None  # from 0
    assert rows["memory.rss_growth_bytes_per_s"]["b"] == pytest.approx(2048)
    # Thread CPU rose with the process's but is shown, not judged.
    assert all(t["regression"] is False for t in d["threads"])


@pytest.mark.parametrize("planted", ["cpu", "growth", "writes"])
def test_each_regression_alone(tmp_path: Path, planted: str) -> None:
    change = {"cpu": CPU, "growth": GROWTH, "writes": WRITES}[planted]
    d = diff(session(tmp_path, "a"), session(tmp_path, "b", **change))
    assert set(d["regressions"]) == FLAGS[planted]


def test_improvements_and_identical_sessions_are_no_regression(tmp_path: Path) -> None:
    a = session(tmp_path, "a")
    assert diff(a, session(tmp_path, "same"))["regressions"] == []
    better = session(tmp_path, "b", cpu_user=BASE.cpu_user * 0.5, syscw_per_s=10)
    d = diff(a, better)
    assert d["regressions"] == []
    assert {m["metric"]: m for m in d["metrics"]}["cpu.avg_percent"]["change_percent"] < -40


def test_threshold(tmp_path: Path) -> None:
    a = session(tmp_path, "a")
    b = session(tmp_path, "b", **CPU)
    assert set(diff(a, b, threshold=25)["regressions"]) == set()
    assert set(diff(a, b, threshold=19)["regressions"]) == FLAGS["cpu"]


def test_sessions_of_different_lengths_compare_per_second(tmp_path: Path) -> None:
    a = session(tmp_path, "a")
    b = session(tmp_path, "b", samples=201)  # a third as long, same rates
    assert diff(a, b)["regressions"] == []


def test_connections_only_in_one(tmp_path: Path) -> None:
    extra = Conn("10.0.0.5:50000", "10.0.0.77:443", "ESTABLISHED", 100, 100)
    a = session(tmp_path, "a")
    # The same peers on new local ports are the same connections.
    moved = tuple(replace(c, local=c.local.replace("4321", "5999")) for c in BASE.conns)
    b = session(tmp_path, "b", conns=(*moved, extra))
    d = diff(a, b)
    assert d["connections"] == {"only_a": [], "only_b": ["10.0.0.77:443"]}


def test_syscall_and_function_sections_when_present() -> None:
    # The report's own keys: syscalls[].count (a diff once read "calls" and compared none).
    a = {"duration_s": 10.0, "cpu": {"avg_percent": 50.0},
         "syscalls": [{"name": "write", "count": 100}, {"name": "read", "count": 50}],
         "functions": [{"name": "hot (app.py:3)", "total_percent": 10.0, "total_samples": 50}]}
    b = {"duration_s": 10.0, "cpu": {"avg_percent": 50.0},
         "syscalls": [{"name": "write", "count": 300}, {"name": "read", "count": 50}],
         "functions": [{"name": "hot (app.py:3)", "total_percent": 30.0, "total_samples": 150},
                       {"name": "new (app.py:9)", "total_percent": 5.0, "total_samples": 25}]}
    d = compare(a, b)
    assert set(d["regressions"]) == {"functions.hot (app.py:3)", "functions.new (app.py:9)"}
    write = next(r for r in d["syscalls"] if r["name"] == "write")
    assert (write["a"], write["b"], write["change_percent"]) == (10.0, 30.0, 200.0)  # per s
    assert write["worse_if"] is None and not write["regression"]  # workload: not judged
    hot = next(r for r in d["functions"] if r["name"] == "hot (app.py:3)")
    assert (hot["samples_per_cpu_s"]["a"], hot["samples_per_cpu_s"]["b"]) == (10.0, 30.0)


def test_a_function_that_costs_more_per_cpu_second_at_the_same_share_is_flagged() -> None:
    """The share stays at 50 % while the function's samples per second of the process's
    CPU time triple (the whole program got 3x slower with it)."""
    def rep(samples: int, cpu: float) -> dict[str, Any]:
        return {"duration_s": 10.0, "cpu": {"avg_percent": cpu},
                "functions": [{"name": "f (a.py:1)", "total_percent": 50.0,
                               "total_samples": samples}]}
    d = compare(rep(100, 20.0), rep(300, 20.0))
    row = d["functions"][0]
    assert row["delta"] == 0.0 and row["samples_per_cpu_s"]["regression"]
    assert d["regressions"] == ["functions.f (a.py:1)"]
    assert "files" not in d


def test_cli_table_json_and_exit_status(tmp_path: Path) -> None:
    a = session(tmp_path, "a")
    b = session(tmp_path, "b", **WRITES)
    r = perftui("diff", a, b, "--json")
    assert r.returncode == 1, r.stderr  # regressions: exit 1, for scripts and CI
    data = json.loads(r.stdout)
    assert data["a"] == a and data["regressions"] == ["io.write_calls/s"]
    r = perftui("diff", a, a)
    assert r.returncode == 0 and "no regressions" in r.stdout
    r = perftui("diff", a, b, "--threshold", "150")
    assert r.returncode == 0
    r = perftui("diff", a, b)
    assert "REGRESSION" in r.stdout and "write calls" in r.stdout
    r = perftui("diff", a, str(tmp_path / "missing"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
