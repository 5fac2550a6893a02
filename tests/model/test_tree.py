"""The process tree in the model: procfs rows, taskstats exit records and the eBPF per-process
counts merged per process; the tree view puts children under their parents."""

from __future__ import annotations

from typing import Any

from perftui.model import Model
from perftui.probes.wire import SCHEMA_VERSION
from perftui.views.snapshot import build_snapshot

T0 = 1_700_000_000.0


def hello(probe: str) -> dict[str, Any]:
    return {"k": "hello", "ts": T0, "seq": 0, "schema": SCHEMA_VERSION, "probe": probe,
            "pid": 10, "host": "h", "interval": 1.0, "caps": {}}


def sample(t: float, procs: list[list[Any]], exits: list[list[Any]] | None = None) -> dict[
        str, Any]:
    return {"k": "sample", "ts": T0 + t, "seq": 1, "cpu": [t, 0.0], "procs": procs,
            "exits": exits or []}


def row(pid: int, ppid: int, start: float, cpu: float, argv: list[str] | None = None) -> list[
        Any]:
    return [pid, ppid, T0 + start, "worker", argv, cpu, 0.0, 4096, 1, "R", 0, 0]


def test_children_under_parents_with_their_ends_and_counts() -> None:
    m = Model()
    m.apply("procfs", hello("procfs"))
    m.apply("procfs", sample(1, [row(11, 10, 0.5, 0.2, ["worker", "-a"]),
                                 row(12, 11, 0.7, 0.1, ["grandchild"])]))
    m.apply("procfs", sample(2, [row(11, 10, 0.5, 0.7), row(12, 11, 0.7, 0.1)],
                             # 13 lived 5 ms between two samples: only its exit record
                             [[13, 10, "short", T0 + 1.4, 0.005, 0.001, 0.002, 3, None]]))
    mid = {r.pid: r for r in build_snapshot(m).tree.rows}
    assert mid[11].cpu_percent is not None and round(mid[11].cpu_percent) == 50  # 0.5 s in 1 s
    m.apply("ebpf", {"k": "sys", "ts": T0 + 2, "seq": 2, "calls": {},
                     "procs": {10: [5, 0, 0, 0, 0], 11: [40, 10, 20, 1, 1], 13: [9, 0, 64, 0, 1]}})
    m.apply("procfs", sample(3, [row(11, 10, 0.5, 0.7)],
                             [[12, 11, "grandchild", T0 + 0.7, 2.0, 0.1, 0.0, None, 9]]))
    view = build_snapshot(m).tree
    assert view.followed
    got = [(r.pid, r.depth, r.alive, r.ended) for r in view.rows]
    assert got == [(10, 0, True, ""), (11, 1, True, ""), (12, 2, False, "killed by signal 9"),
                   (13, 1, False, "exit 3")]
    worker = view.rows[1]
    assert worker.command == "worker -a" and worker.syscalls == 40
    assert worker.cpu_percent == 0.0  # no CPU from 2 s to 3 s
    short = view.rows[3]
    assert short.life_s is not None and abs(short.life_s - 0.005) < 1e-6
    assert build_snapshot(m).header.processes == 2  # the target and worker 11


def test_a_build_of_many_short_processes_keeps_the_latest_ones() -> None:
    from perftui.model.tree import MAX_PROCESSES

    m = Model()
    m.apply("procfs", hello("procfs"))
    exits = [[100 + i, 10, "cc", T0 + i * 0.001, 0.0005, 0.0, 0.0, 0, None]
             for i in range(MAX_PROCESSES + 50)]
    m.apply("procfs", sample(5, [row(11, 10, 0.5, 0.1)], exits))
    pids = {p.pid for p in m.tree.all()}
    assert len(pids) <= MAX_PROCESSES + 2  # the live child, the newest ended ones
    assert 11 in pids and 100 not in pids and 100 + MAX_PROCESSES + 49 in pids
