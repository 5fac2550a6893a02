"""The whole process tree of a launched command: ``sh -c`` running three short C children in
sequence and one in the background, each with its own number of calls and bytes.  Each is
in ``processes[]`` with exactly what ``strace -f`` counts for it and the bytes it wrote; the
tree's totals are their sum."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from perftui.model.systhreads import WINDOW_S
from perftui.views.focus import focus_snapshot
from perftui.views.snapshot import build_snapshot
from tests.launch.test_real_programs import model_of
from tests.support.cli import perftui
from tests.support.launch import build_exact, report
from tests.support.skips import bcc_missing

pytestmark = pytest.mark.skipif(bcc_missing() is not None, reason=bcc_missing() or "")

# name -> (getppid calls, writes, bytes a write)
CHILDREN = {"a": (100, 3, 4096), "b": (200, 5, 1000), "c": (300, 7, 512), "d": (50, 2, 64)}


def script(exe: Path, out: Path) -> str:
    run = {k: f"{exe} {n} {m} {size} {out / k}" for k, (n, m, size) in CHILDREN.items()}
    return f"{run['a']}; {run['b']}; {run['c']} & {run['d']}; wait"


def strace_counts(argv: list[str], tmp: Path) -> dict[str, int]:
    """Syscalls per process by what it wrote to (a child's output file, "sh" for the
    shell), from ``strace -f -ff``: one line per call."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (scripts/install-deps.sh --test installs it)")
    traces = tmp / "strace"
    traces.mkdir()
    subprocess.run([strace, "-f", "-ff", "-s", "4096", "-o", str(traces / "t"), *argv],
                   check=True, capture_output=True, timeout=60)
    out: dict[str, int] = {}
    for path in traces.iterdir():
        lines = [ln for ln in path.read_text().splitlines()
                 if not ln.startswith(("+++", "---"))]
        execs = [ln for ln in lines if ln.startswith("execve(")]
        target = re.search(r'"[^"]*/([abcd])"\]', execs[-1]) if execs else None
        out[target.group(1) if target else "sh"] = len(lines)
    return out


def by_child(rep: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The processes by child name, told apart by the bytes each wrote (a child that lives
    under one sample is named by the kernel's comm, "exact_calls", not its argv)."""
    written = {m * size: name for name, (_n, m, size) in CHILDREN.items()}
    found: dict[str, dict[str, Any]] = {}
    for p in rep["processes"]:
        name = "sh" if p["pid"] == rep["pid"] else written.get(p["write_bytes"], p["command"])
        assert name not in found, (name, rep["processes"])
        found[name] = p
    return found


def test_each_child_is_counted_exactly_and_the_tree_sums(tmp_path: Path) -> None:
    exe = build_exact(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    argv = ["sh", "-c", script(exe, out)]
    truth = strace_counts(argv, tmp_path)
    session = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(session), "--probes", "procfs,ebpf", "--", *argv)
    assert done.returncode == 0, done.stderr
    rep = report(session)
    procs = by_child(rep)
    assert set(procs) == {"sh", "a", "b", "c", "d"}, list(procs)
    for name, (n, m, size) in CHILDREN.items():
        p = procs[name]
        assert p["ppid"] == rep["pid"] and p["exit"] == 0, p
        assert p["command"] in ("exact_calls", f"{exe} {n} {m} {size} {out / name}"), p
        assert p["syscalls"] == truth[name], (name, p["syscalls"], truth)
        assert 0 <= p["start_s"] <= p["end_s"] <= rep["duration_s"] + 0.01, p
    # the shell's own count depends on when its children end (wait4 again, a signal's
    # rt_sigreturn): close to strace's, not equal
    assert abs(procs["sh"]["syscalls"] - truth["sh"]) <= 12, (procs["sh"], truth["sh"])
    tree = rep["tree"]
    assert tree["processes"] == 5
    assert tree["syscalls"] == sum(p["syscalls"] for p in procs.values()) \
        == sum(s["count"] for s in rep["syscalls"])
    assert tree["write_bytes"] == sum(m * size for _n, m, size in CHILDREN.values())
    # Picked in the tree (T, enter), each child's Syscalls pane has its own calls, exactly
    # (the session is shorter than the pane's 10 s window, so the window is the whole life).
    model = model_of(session)
    assert rep["duration_s"] < WINDOW_S
    for name, (n, m, _size) in CHILDREN.items():
        pid = procs[name]["pid"]
        snap = focus_snapshot(model, build_snapshot(model), pid)
        assert snap.focus is not None and snap.focus.pid == pid
        rows = {r.name: r.total for r in snap.syscalls.rows}
        assert rows.get("getppid") == n and rows.get("write") == m, (name, rows)
        assert sum(rows.values()) == truth[name], (name, rows, truth[name])


def test_no_children_watches_the_one_process(tmp_path: Path) -> None:
    exe = build_exact(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    session = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(session), "--probes", "procfs,ebpf", "--no-children",
                   "--", "sh", "-c", script(exe, out))
    assert done.returncode == 0, done.stderr
    rep = report(session)
    assert "processes" not in rep
    getppid = next((s["count"] for s in rep["syscalls"] if s["name"] == "getppid"), 0)
    assert getppid <= 1  # the shell's own ($PPID): its children's 650 are not counted


def test_the_childrens_cpu_adds_up_to_what_the_parent_reaped(tmp_path: Path) -> None:
    """The kernel sums a reaped child's CPU into its parent's cutime/cstime: the children's
    own figures (their exit records) must add up to it, counted once in the tree."""
    burn = ("python3 -c 'import time; e = time.process_time() + 0.4\n"
            "while time.process_time() < e: pass'")
    session = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(session), "--probes", "procfs", "--", "sh", "-c",
                   f"{burn}; {burn}")
    assert done.returncode == 0, done.stderr
    rep = report(session)
    kids = [p for p in rep["processes"] if p["pid"] != rep["pid"]]
    assert len(kids) == 2 and all(p["cpu_s"] >= 0.4 for p in kids), kids
    children_cpu = sum(p["cpu_s"] for p in kids)
    # The exit records carry the tick-sampled user/sys times, cutime the scheduler's runtime
    # split by them: on a loaded host they part by a few ticks (0.86 s vs 0.92 s seen).
    assert rep["tree"]["reaped_cpu_s"] == pytest.approx(children_cpu, rel=0.1)
    assert rep["tree"]["cpu_s"] == pytest.approx(children_cpu + rep["processes"][0]["cpu_s"])


def test_a_grandchild_that_ends_before_its_parent_is_kept(tmp_path: Path) -> None:
    """``tar z`` runs gzip under a shell: the grandchild's exit record comes before the one
    that says its parent was in the tree.  Both short, neither seen by a sample."""
    exe = build_exact(tmp_path)
    session = tmp_path / "s.perftui"
    inner = f"{exe} 10 1 100 {tmp_path / 'g'}; true"
    done = perftui("record", "-o", str(session), "--probes", "procfs,ebpf", "--", "sh", "-c",
                   f"sh -c '{inner}'; true")
    assert done.returncode == 0, done.stderr
    rep = report(session)
    procs = {p["pid"]: p for p in rep["processes"]}
    grandchild = next(p for p in procs.values() if p["write_bytes"] == 100)
    parent = procs[grandchild["ppid"]]
    assert parent["ppid"] == rep["pid"] and parent["exit"] == 0 and grandchild["exit"] == 0
    assert grandchild["cpu_s"] is not None and grandchild["end_s"] is not None


def test_diff_compares_the_trees_and_names_the_program_only_one_ran(tmp_path: Path) -> None:
    exe = build_exact(tmp_path)
    steps = f"{exe} 10 1 100 {tmp_path / 'f1'}; {exe} 20 1 100 {tmp_path / 'f2'}"
    sessions = []
    for name, script_text in (("a", steps), ("b", f"{steps}; cat {tmp_path / 'f1'} >/dev/null")):
        session = tmp_path / f"{name}.perftui"
        done = perftui("record", "-o", str(session), "--probes", "procfs,ebpf", "--", "sh",
                       "-c", script_text)
        assert done.returncode == 0, done.stderr
        sessions.append(session)
    diffed = perftui("diff", "--json", *map(str, sessions))
    assert diffed.returncode in (0, 1), diffed.stderr
    tree = json.loads(diffed.stdout)["tree"]
    assert tree["commands"] == {"only_a": [], "only_b": ["cat"]}
    totals = {r["name"]: r for r in tree["totals"]}
    assert (totals["processes"]["a"], totals["processes"]["b"]) == (3, 4)
    reports = [report(s) for s in sessions]
    assert totals["syscalls"]["a"] == reports[0]["tree"]["syscalls"]
    assert totals["syscalls"]["b"] == reports[1]["tree"]["syscalls"]
    # two writes of 100 bytes; B's cat copies one file's 100 bytes more
    assert (totals["write_bytes"]["a"], totals["write_bytes"]["b"]) == (200, 300)
    text = perftui("diff", *map(str, sessions)).stdout
    assert "process tree" in text and "command only in B: cat" in text, text


def test_the_perf_counter_fallback_sums_the_tree(tmp_path: Path) -> None:
    """Without BPF, inherited perf counters count every child's calls (the tree's sums), and
    say they cannot split them per process."""
    exe = build_exact(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    session = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(session), "--probes", "procfs,perfcount", "--", "sh",
                   "-c", script(exe, out))
    assert done.returncode == 0, done.stderr
    rep = report(session)
    counts = {s["name"]: s["count"] for s in rep["syscalls"]}
    want = sum(n for n, _m, _k in CHILDREN.values())
    assert want <= counts["getppid"] <= want + 1  # (+ the shell's own $PPID, if it asks)
    assert counts["write"] >= sum(m for _n, m, _k in CHILDREN.values())
    assert "counts the whole tree" in done.stderr and "cannot split" in done.stderr, done.stderr
