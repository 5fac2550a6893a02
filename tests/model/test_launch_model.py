"""A command held before its exec, as the model sees it from the ``launch`` frames: named by
its argv, shown held, its wrapper's memory not taken for the command's, and its time
starting at the exec."""

from __future__ import annotations

from typing import Any

from perftui.model.model import Model
from perftui.report.summary import Summarizer
from perftui.ui.widgets.header import AppState, header_lines
from perftui.views.snapshot import build_snapshot

T0 = 1_800_000_000.0
WRAPPER = ["python3", "-I", "-S", "-c", "import os...", "4", "5", "/bin/gzip", "gzip", "-9"]


def frames() -> list[tuple[str, dict[str, Any]]]:
    def sample(ts: float, cpu: float, io: int, **kw: Any) -> tuple[str, dict[str, Any]]:
        return "procfs", {"k": "sample", "ts": ts, "state": kw.pop("state", "S"),
                          "cpu": [cpu, 0.0], "io": {"rchar": io, "wchar": 0},
                          "threads": [[100, kw.pop("name", "python3"), "S", cpu, 0.0, 0, 0, 0]],
                          **kw}
    return [
        ("perftui", {"k": "launch", "ts": T0, "argv": ["gzip", "-9"], "path": "/bin/gzip"}),
        ("procfs", {"k": "hello", "ts": T0, "pid": 100, "probe": "procfs", "schema": 1,
                    "caps": {}, "interval": 1.0}),
        ("procfs", {"k": "meta", "ts": T0, "pid": 100, "cmdline": WRAPPER, "name": "python3"}),
        sample(T0 + 0.1, 0.02, 5000, mem={"rss": 9 << 20}),  # the wrapper, held
        sample(T0 + 1.1, 0.02, 5000, mem={"rss": 9 << 20}),
        ("perftui", {"k": "launch", "ts": T0 + 1.5, "held_s": 1.4, "exec_ts": T0 + 1.5,
                     "waited_for": [], "msg": ""}),
        sample(T0 + 2.5, 0.52, 9000, mem={"rss": 2 << 20}, name="gzip"),
        sample(T0 + 3.0, 0.77, 12000, state="Z", final=True, name="gzip"),
    ]


def test_held_then_running_with_the_command_s_name_and_time() -> None:
    model = Model()
    items = frames()
    for stream, frame in items[:5]:
        model.apply(stream, frame)
    snap = build_snapshot(model)
    assert snap.header.status == "held"
    assert snap.header.command == "gzip -9"  # not the wrapper's command line
    assert model.process.mem == {}  # the wrapper's 9 MiB are not the command's
    assert "held until the probes attach" in header_lines(snap.header, AppState(1.0), 160).plain
    for stream, frame in items[5:]:
        model.apply(stream, frame)
    snap = build_snapshot(model)
    assert snap.header.status == "running"  # (no exit frame here)
    assert model.process.mem["rss"] == 2 << 20


def test_the_report_counts_from_the_exec_with_the_held_samples_as_base() -> None:
    summary = Summarizer().apply_all(frames())
    rep = summary.result()
    assert rep["duration_s"] == 1.5  # exec to the last sample
    assert rep["samples"] == 2  # the held ones are the baseline
    assert rep["io"]["read_bytes"] == 7000
    assert abs(rep["cpu"]["avg_percent"] - 0.75 / 1.5 * 100) < 1e-6
    assert rep["coverage"]["launched"] == {"held_s": 1.4, "msg": ""}
    assert rep["command"] == "gzip -9"
