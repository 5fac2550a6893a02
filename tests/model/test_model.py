"""The model's derivations against hand-computed ground truth."""

from __future__ import annotations

from typing import Any

import pytest

from perftui.model import APP_STREAM, Model, SchemaError
from perftui.model.growth import sustained_growth
from perftui.model.series import Series, rate, slope
from perftui.probes.wire import SCHEMA_VERSION
from perftui.views.snapshot import build_snapshot

MiB = 2**20


def hello(ts: float = 100.0, **caps: Any) -> dict[str, Any]:
    return {"k": "hello", "ts": ts, "seq": 0, "schema": SCHEMA_VERSION, "probe": "procfs",
            "version": "0.1.0", "pid": 42, "host": "h", "interval": 1.0, "caps": caps}


def sample(seq: int, ts: float, **fields: Any) -> dict[str, Any]:
    return {"k": "sample", "ts": ts, "seq": seq, "state": "R", **fields}


def test_rate_and_slope() -> None:
    assert rate(10, 30, 2.0) == 10.0
    assert rate(30, 10, 2.0) is None  # a counter that went back (restart) is not a rate
    assert rate(None, 10, 1.0) is None
    assert slope([(0, 0), (1, 2), (2, 4)]) == pytest.approx(2.0)
    assert slope([(0, 5)]) is None


def test_series_is_bounded_and_returns_the_newest() -> None:
    s = Series(3)
    for i in range(10):
        s.append(float(i), float(i * 10))
    assert len(s) == 3
    assert s.values() == (70.0, 80.0, 90.0)
    assert s.values(2) == (80.0, 90.0)


def test_cpu_threads_and_context_switch_rates() -> None:
    m = Model()
    m.apply("procfs", hello())
    m.apply("procfs", sample(1, 100.0, cpu=[10.0, 2.0], threads=[
        [42, "main", "S", 1.0, 1.0, 100, 10, 0], [43, "worker", "R", 9.0, 1.0, 5, 50, 1]]))
    m.apply("procfs", sample(2, 102.0, cpu=[11.5, 2.5], threads=[
        [42, "main", "S", 1.0, 1.2, 120, 10, 0], [43, "worker", "R", 10.2, 1.1, 5, 70, 1]]))
    snap = build_snapshot(m)
    # (1.5 + 0.5) s of CPU in 2 s = 100% of one core, 75% user, 25% system.
    assert snap.cpu.percent == pytest.approx(100.0)
    assert snap.cpu.user_percent == pytest.approx(75.0)
    assert snap.cpu.system_percent == pytest.approx(25.0)
    worker, main = snap.cpu.threads  # busiest first
    assert (worker.tid, worker.name) == (43, "worker")
    assert worker.cpu_percent == pytest.approx(65.0)  # (1.2 + 0.1) / 2 s
    assert main.cpu_percent == pytest.approx(10.0)
    assert worker.ctx_per_s == pytest.approx(10.0)
    assert main.ctx_per_s == pytest.approx(10.0)
    assert snap.syscalls.ctx_per_s == pytest.approx(20.0)  # all threads, not the main one


def test_io_memory_and_fault_rates() -> None:
    m = Model()
    m.apply("procfs", hello())
    io0 = {"rchar": 1000, "wchar": 0, "syscr": 10, "syscw": 0, "read_bytes": 0,
           "write_bytes": 0}
    io1 = {"rchar": 5000, "wchar": 8192, "syscr": 14, "syscw": 2, "read_bytes": 4096,
           "write_bytes": 0}
    mem0 = {"rss": 10 * MiB, "vms": 50 * MiB, "minflt": 100, "majflt": 1}
    mem1 = {"rss": 12 * MiB, "vms": 50 * MiB, "minflt": 300, "majflt": 1, "uss": 8 * MiB}
    m.apply("procfs", sample(1, 100.0, io=io0, mem=mem0))
    m.apply("procfs", sample(2, 104.0, io=io1, mem=mem1))
    snap = build_snapshot(m)
    assert snap.fileio.read_per_s == pytest.approx(1000.0)
    assert snap.fileio.write_per_s == pytest.approx(2048.0)
    assert snap.fileio.read_calls_per_s == pytest.approx(1.0)
    assert snap.fileio.write_calls_per_s == pytest.approx(0.5)
    assert snap.fileio.storage_read_per_s == pytest.approx(1024.0)
    assert snap.memory.rss == 12 * MiB and snap.memory.uss == 8 * MiB
    assert snap.memory.minflt_per_s == pytest.approx(50.0)
    assert snap.memory.majflt_per_s == pytest.approx(0.0)
    assert snap.memory.growth_bytes_per_s == pytest.approx(2 * MiB / 4)


def test_io_unreadable_says_why() -> None:
    m = Model()
    m.apply("procfs", hello(io={"ok": False, "why": "permission denied"}))
    m.apply("procfs", sample(1, 100.0, cpu=[0.0, 0.0]))
    snap = build_snapshot(m)
    assert not snap.fileio.available
    assert snap.fileio.why == "permission denied"


def test_connection_rates_and_totals() -> None:
    m = Model()
    m.apply("procfs", hello())
    conn = ["127.0.0.1:5000", "127.0.0.1:6000", "ESTABLISHED", 77]
    m.apply("procfs", sample(1, 100.0, net={"tcp": [[*conn, 1000, 50]], "udp": 1, "unix": 2}))
    m.apply("procfs", sample(2, 102.0, net={"tcp": [[*conn, 5000, 250]], "udp": 1, "unix": 2}))
    m.apply("procfs", sample(3, 103.0, net={"tcp": [[*conn, 6000, 250]], "udp": 1, "unix": 2}))
    snap = build_snapshot(m)
    (row,) = snap.net.connections
    assert row.sent_per_s == pytest.approx(1000.0)
    assert row.recv_per_s == pytest.approx(0.0)
    assert (row.sent_total, row.recv_total) == (6000, 250)
    assert m.process.conns[("127.0.0.1:5000", "127.0.0.1:6000", 77)].sent_since_attach == 5000
    assert snap.net.sent_per_s == pytest.approx(1000.0)
    assert (snap.net.udp, snap.net.unix) == (1, 2)


def test_growth_warning_needs_a_steady_rise() -> None:
    steady = [(float(t), 100 * MiB + t * 0.2 * MiB) for t in range(0, 121)]
    g = sustained_growth(steady)
    assert g is not None and g.bytes_per_s == pytest.approx(0.2 * MiB)
    flat = [(float(t), 100 * MiB + (MiB if t % 2 else 0)) for t in range(0, 121)]
    assert sustained_growth(flat) is None
    short = steady[:30]  # 30 s is not "sustained"
    assert sustained_growth(short) is None
    m = Model()
    m.apply("procfs", hello())
    for i, (t, rss) in enumerate(steady):
        m.apply("procfs", sample(i + 1, 100.0 + t, mem={"rss": rss, "vms": rss}))
    assert "RSS grew steadily" in build_snapshot(m).memory.warning


def test_lost_frames_counted_and_restart_resets() -> None:
    m = Model()
    m.apply("procfs", hello())
    m.apply("procfs", sample(1, 101.0))
    m.apply("procfs", sample(4, 104.0))
    assert m.probes["procfs"].lost_frames == 2
    m.apply("procfs", hello(ts=110.0))  # a restarted probe starts at seq 0 again
    m.apply("procfs", sample(1, 111.0))
    assert m.probes["procfs"].lost_frames == 2


def test_future_schema_is_refused_with_a_clear_message() -> None:
    m = Model()
    with pytest.raises(SchemaError, match="schema 99"):
        m.apply("procfs", {**hello(), "schema": 99})


def test_exit_status_and_self_cpu_from_the_app_stream() -> None:
    m = Model()
    m.apply("procfs", hello())
    m.apply(APP_STREAM, {"k": "self", "ts": 100.0, "seq": 0, "cpu": [1.0, 0.0],
                         "probes": {"procfs": [0.5, 0.5]}})
    m.apply(APP_STREAM, {"k": "self", "ts": 102.0, "seq": 1, "cpu": [1.02, 0.0],
                         "probes": {"procfs": [0.51, 0.51]}})
    m.apply("procfs", {"k": "gone", "ts": 103.0, "seq": 1, "reason": "exited"})
    m.apply(APP_STREAM, {"k": "exit", "ts": 103.0, "seq": 2, "code": 3, "signal": None})
    snap = build_snapshot(m)
    assert snap.header.self_cpu_percent == pytest.approx(2.0)  # 0.04 s over 2 s (one point)
    assert (snap.header.status, snap.header.exit_detail) == ("exited", "exit status 3")
    assert m.probes["procfs"].state == "finished"


def test_own_cpu_is_averaged_over_ten_seconds() -> None:
    # A sampler's child is counted when reaped: 0.1 s lands in one second out of every two.
    m = Model()
    total = 0.0
    for i in range(21):
        total += 0.1 if i % 2 else 0.0
        m.apply(APP_STREAM, {"k": "self", "ts": 100.0 + i, "seq": i, "cpu": [total, 0.0],
                             "probes": {}})
    assert build_snapshot(m).header.self_cpu_percent == pytest.approx(5.0)
