"""The ebpf stream folded into the model: hand-computed rates, percentiles, errno names."""

from __future__ import annotations

from typing import Any

import pytest

from perftui.model import Model
from perftui.model.syscalls import quantile_ns
from perftui.probes.wire import SCHEMA_VERSION
from perftui.report.summary import Summarizer
from perftui.views.snapshot import build_snapshot
from tests.support.framegen import EbpfGen, GenConfig, frames

T0 = 1_700_000_000.0


def hello(source: str = "bpf") -> list[dict[str, Any]]:
    return [{"k": "hello", "ts": T0, "seq": 0, "schema": SCHEMA_VERSION, "probe": "ebpf",
             "pid": 7, "host": "h", "interval": 1.0, "caps": {}, "source": None},
            {"k": "caps", "ts": T0, "seq": 1, "caps": {}, "source": source}]


def sys_frame(ts: float, **fields: Any) -> dict[str, Any]:
    return {"k": "sys", "ts": T0 + ts, "seq": 2, **fields}


def model_of(*sys_frames: dict[str, Any], stream: str = "ebpf",
             source: str = "bpf") -> Model:
    m = Model()
    for f in [*hello(source), *sys_frames]:
        m.apply(stream, f)
    return m


def test_rates_come_from_counter_differences_and_totals_are_the_counters() -> None:
    m = model_of(sys_frame(0, strs={1: "read", 2: "write"}, calls={1: 100, 2: 10}),
                 sys_frame(2, calls={1: 700, 2: 50}))
    view = build_snapshot(m).syscalls
    assert [r.name for r in view.rows] == ["read", "write"]  # by rate
    read, write = view.rows
    assert read.per_s == 300.0 and read.total == 700  # (700 - 100) / 2 s
    assert write.per_s == 20.0 and write.total == 50
    assert view.total_per_s == 320.0 and view.calls_history == (320.0,)
    assert view.note == "" and "eBPF" in view.source


def test_percentiles_interpolate_within_log2_buckets() -> None:
    # 100 calls: 50 in [1024, 2048) ns, 40 in [2048, 4096), 10 in [4096, 8192).
    hist = [0] * 11 + [50, 40, 10]
    assert quantile_ns(hist, 0.50) == 2048.0  # rank 50: the top of bucket 11
    assert quantile_ns(hist, 0.95) == 6144.0  # rank 95: half way into bucket 13
    assert quantile_ns(hist, 0.99) == pytest.approx(7782.4)  # 4096 + 0.9 * 4096
    assert quantile_ns([3], 0.5) == 0.0  # bucket 0 is 0 ns
    assert quantile_ns([0] * 39 + [5], 0.5) == 2.0 ** 38  # open-ended: its lower bound
    assert quantile_ns([], 0.5) is None
    m = model_of(sys_frame(0, strs={1: "read"}, calls={1: 100}, lat={1: hist}))
    row = build_snapshot(m).syscalls.rows[0]
    assert (row.p50_ns, row.p95_ns) == (2048.0, 6144.0)


def test_errors_are_named_by_errno_most_common_first() -> None:
    m = model_of(sys_frame(0, strs={1: "openat"}, calls={1: 30},
                           errors={1: {13: 2, 2: 25, 9999: 1}}))
    row = build_snapshot(m).syscalls.rows[0]
    assert row.errors == 28 and row.top_errno == "ENOENT"
    assert row.errors_by_name == (("ENOENT", 25), ("EACCES", 2), ("errno 9999", 1))


def test_small_reads_flag_needs_small_average_and_a_high_rate() -> None:
    f0 = [[1, 0, 0, 0, 0], [2, 0, 0, 0, 0], [3, 0, 0, 0, 0]]
    # over 1 s: a: 2000 reads of 100 B (flag); b: 2000 reads of 8 KiB; c: 500 reads of 100 B
    f1 = [[1, 200_000, 0, 2000, 0], [2, 2000 * 8192, 0, 2000, 0], [3, 50_000, 4000, 500, 4]]
    m = model_of(sys_frame(0, strs={1: "/a", 2: "/b", 3: "/c"}, calls={}, files=f0),
                 sys_frame(1, calls={}, files=f1))
    rows = {r.path: r for r in build_snapshot(m).fileio.rated}
    assert rows["/a"].small_reads and rows["/a"].avg_io == 100.0
    assert not rows["/b"].small_reads and rows["/b"].read_per_s == 2000 * 8192
    assert not rows["/c"].small_reads  # small, but only 500 reads/s
    assert rows["/c"].calls_per_s == 504.0 and rows["/c"].avg_io == 54_000 / 504
    assert rows["/c"].write_per_s == 4000.0
    assert next(r.path for r in build_snapshot(m).fileio.rated) == "/b"  # busiest first


def test_connections_from_ebpf_replace_the_procfs_rows_and_keep_closed_ones() -> None:
    conn = [5, "tcp", "127.0.0.1:1", "127.0.0.1:2", "ESTABLISHED", 1000, 0, 1, 0, None, None]
    done = [5, "tcp", "127.0.0.1:1", "127.0.0.1:2", "CLOSE", 5000, 0, 2, 0, None, T0 + 2]
    m = model_of(sys_frame(0, calls={}, conns=[conn]), sys_frame(2, calls={}, conns=[done]),
                 sys_frame(3, calls={}, conns=[]))
    net = build_snapshot(m).net
    assert "eBPF" in net.source and len(net.connections) == 1
    c = net.connections[0]
    assert c.state == "CLOSE" and c.sent_total == 5000 and c.sent_per_s == 0.0


def test_perf_counts_only_and_procfs_note_without_any_source() -> None:
    m = model_of(sys_frame(0, strs={1: "read"}, calls={1: 5}), sys_frame(1, calls={1: 9}),
                 stream="perfcount", source="perf")
    view = build_snapshot(m).syscalls
    assert view.rows[0].per_s == 4.0 and view.rows[0].p50_ns is None
    assert view.source == "perf counters (perfcount probe)" and view.note == ""
    empty = build_snapshot(Model()).syscalls
    assert empty.rows == () and "eBPF probe" in empty.note and empty.source.startswith("/proc")


def test_a_new_probe_run_keeps_the_totals() -> None:
    m = model_of(sys_frame(0, strs={1: "read"}, calls={1: 50}), sys_frame(1, calls={1: 80}))
    for f in [*hello(), sys_frame(5, strs={3: "read"}, calls={3: 10}),
              sys_frame(6, calls={3: 30})]:
        m.apply("ebpf", f)
    row = build_snapshot(m).syscalls.rows[0]
    assert row.total == 110 and row.per_s == 20.0


def test_report_parts_cover_the_window() -> None:
    cfg = GenConfig(samples=6, ebpf=EbpfGen())
    report = Summarizer().apply_all(frames(cfg)).result()
    read = next(r for r in report["syscalls"] if r["name"] == "read")
    # up to the last sys frame (t=5), which comes after the last procfs sample
    assert read["count"] == 12_000 * 5 and read["p95_us"] == pytest.approx(6.144)
    assert report["files"][0] == {"path": "/srv/data/orders.db", "read_bytes": 2 * 2**20 * 5,
                                  "write_bytes": 0, "reads": 11_000 * 5, "writes": 0}


def test_report_window_ends_with_the_last_sys_frame_inside_it() -> None:
    cfg = GenConfig(samples=8, ebpf=EbpfGen())
    # (2, 5]: from every frame at or before t=2 (t=2's sys frame too, which comes after the
    # sample of t=2) to the sys frame of t=5, the last at or before the end: 3 seconds
    report = Summarizer(T0 + 2, T0 + 5).apply_all(frames(cfg)).result()
    read = next(r for r in report["syscalls"] if r["name"] == "read")
    assert read["count"] == 12_000 * (5 - 2)
    assert report["files"][0]["read_bytes"] == 2 * 2**20 * 3


def test_ebpf_compiling_reads_as_starting_then_live_not_degraded() -> None:
    from perftui.probes.ebpf.start import compiling_caps
    from perftui.ui.widgets.header import AppState, header_lines

    m = Model()
    m.apply("perftui", {"k": "probe", "ts": T0, "seq": 0, "name": "ebpf",
                        "state": "starting", "msg": ""})
    m.apply("ebpf", {**hello()[0], "caps": compiling_caps()})

    def line() -> str:
        return header_lines(build_snapshot(m).header, AppState(1.0), 160).plain.splitlines()[1]

    assert m.probes["ebpf"].missing() == {} and m.probes["ebpf"].state == "starting"
    assert "ebpf starting: compiling BPF" in line() and "degraded" not in line()
    m.apply("ebpf", {"k": "caps", "ts": T0 + 3, "seq": 1, "source": "bpf", "detail": "full",
                     "caps": {c: {"ok": True} for c in compiling_caps()}})
    assert "ebpf live" in line()
    # A cap really missing once compiled is still degraded.
    m.apply("ebpf", {**hello()[0], "seq": 0, "caps": compiling_caps()})
    m.apply("ebpf", {"k": "caps", "ts": T0 + 9, "seq": 1, "source": "bpf", "detail": "full",
                     "caps": {**{c: {"ok": True} for c in compiling_caps()},
                              "net": {"ok": False, "why": "no sock tracepoints"}}})
    assert "ebpf ⚠ degraded (net)" in line()


def test_rates_span_at_least_a_second_so_a_last_quick_frame_does_not_inflate_them() -> None:
    """The probe's last frame comes at once when the target exits, 0.1 s after the one
    before: one exit_group then read 10/s.  Rates are measured from a reading >= 0.9 s old."""
    m = model_of(sys_frame(1, strs={1: "read", 2: "exit_group"}, calls={1: 100}),
                 sys_frame(2, calls={1: 200}),
                 sys_frame(2.1, calls={1: 210, 2: 1}))
    rows = {r.name: r for r in build_snapshot(m).syscalls.rows}
    assert rows["exit_group"].per_s == pytest.approx(1 / 1.1)  # since the frame at 1 s
    assert rows["read"].per_s == pytest.approx(110 / 1.1)
    assert rows["exit_group"].total == 1


def test_file_and_connection_rates_also_span_at_least_a_second() -> None:
    """The same for the rows of the File I/O and Network panes: 4 KiB written in the last
    0.1 s are not 40 KiB/s."""
    conn = [1, "tcp", "10.0.0.9:40000", "10.0.0.5:80", "ESTABLISHED"]
    m = model_of(sys_frame(1, strs={1: "/data"}, files=[[1, 1000, 0, 1, 0]],
                           conns=[[*conn, 100, 0, 1, 0, None, None]]),
                 sys_frame(2, files=[[1, 3000, 0, 3, 0]],
                           conns=[[*conn, 300, 0, 3, 0, None, None]]),
                 sys_frame(2.1, files=[[1, 7096, 0, 4, 0]],
                           conns=[[*conn, 700, 0, 4, 0, None, None]]))
    f = m.sys.files["/data"]
    assert f.read_per_s == pytest.approx(2000.0)  # the rate from 1 s to 2 s, kept
    assert f.avg_read == pytest.approx(1000.0)
    c = next(iter(m.sys.conns.values()))
    assert c.sent_per_s == pytest.approx(200.0)
    m.apply("ebpf", sys_frame(3.0, files=[[1, 7096, 0, 4, 0]],
                              conns=[[*conn, 700, 0, 4, 0, None, None]]))
    assert f.read_per_s == pytest.approx(4096.0)  # 2 s -> 3 s: the 4 KiB read at 2.1 s
    assert c.sent_per_s == pytest.approx(400.0)


def test_closed_connections_leave_the_live_view_but_not_the_totals() -> None:
    conn = [1, "tcp", "10.0.0.5:40000", "10.0.0.9:80", "ESTABLISHED", 500, 100, 1, 1, None,
            None]
    closed = [*conn[:4], "CLOSE", 800, 100, 2, 1, None, T0 + 2.5]
    m = model_of(sys_frame(1, conns=[conn]), sys_frame(2, conns=[]),
                 sys_frame(3, conns=[closed]), sys_frame(4, conns=[]))
    assert next(iter(m.sys.conns.values())).closed  # still shown, closed
    for t in range(5, 15):
        m.apply("ebpf", sys_frame(t, conns=[]))
    assert m.sys.conns == {}  # 10 s after its close
    assert (m.sys.tcp_sent, m.sys.tcp_recv) == (800, 100)


def test_an_io_uring_fd_is_said_in_the_file_pane() -> None:
    m = Model()
    m.apply("procfs", {"k": "sample", "ts": T0, "seq": 0, "state": "S", "cpu": [0.0, 0.0],
                       "fd": {"count": 2, "files": [[3, "/tmp/a", 0],
                                                    [4, "anon_inode:[io_uring]", 0]]}})
    assert build_snapshot(m).fileio.io_uring


def test_percentiles_need_enough_calls_to_be_shown() -> None:
    """With 30 calls, p50 and p95 are shown, p99 (the slowest call, really) is not."""
    m = model_of(sys_frame(1, strs={1: "read"}, calls={1: 30}, lat={1: [0] * 10 + [30]}))
    row = build_snapshot(m).syscalls.rows[0]
    assert row.p50_ns is not None and row.p95_ns is not None and row.p99_ns is None
