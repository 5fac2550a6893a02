"""Syscalls per thread from ``bythread`` rows: the model's window, the detail screen's
"by thread" section, and seeks in a replay that give what a replay from the start gives."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from perftui.model import Model
from perftui.model.systhreads import WINDOW_S
from perftui.probes.wire import SCHEMA_VERSION
from perftui.session import SessionReader, new_header
from perftui.session.writer import write_frames
from perftui.sources.canned import CannedSource
from perftui.ui import create_app
from perftui.ui.screens.syscall_detail import SyscallDetailScreen
from perftui.ui.widgets.syscalls import SyscallPane
from perftui.views.snapshot import build_snapshot
from tests.support.app import screen_lines
from tests.support.framegen import EbpfGen, GenConfig, frames

Frame = dict[str, Any]
READ, FUTEX = 0, 1  # sids: EbpfGen's syscalls in order
# tid -> (sid, calls/s, seconds per call, errors/s, stops making calls at t)
SPLIT = {4243: (READ, 9000, 1e-6, 0, None), 4244: (READ, 3000, 2e-6, 0, 10.0),
         4246: (FUTEX, 2500, 5e-6, 400, None)}
CFG = GenConfig(samples=20, ebpf=EbpfGen())


def with_threads(cfg: GenConfig, split: dict[int, tuple[Any, ...]] = SPLIT,
                 source: str = "bpf") -> list[tuple[str, Frame]]:
    """The generated session with each sys frame's ``bythread`` rows as the probe sends
    them: cumulative, only the pairs that changed, ``first`` on a pair's first row."""
    out: list[tuple[str, Frame]] = []
    sent: dict[int, tuple[int, int]] = {}
    for stream, f in frames(cfg):
        if stream == "ebpf" and f["k"] == "sys":
            t = f["ts"] - cfg.t0
            rows = []
            for tid, (sid, rate, per_call, err_rate, stop) in split.items():
                tt = min(t, stop) if stop is not None else t
                calls, errors = int(rate * tt), int(err_rate * tt)
                if (calls or errors) and sent.get(tid) != (calls, errors):
                    timed = source == "bpf"
                    rows.append([tid, sid, calls, calls * per_call if timed else None,
                                 errors if timed else None, tid not in sent])
                    sent[tid] = (calls, errors)
            f = {**f, "bythread": rows}
        out.append((stream, f))
    return out


def model_of(fr: list[tuple[str, Frame]]) -> Model:
    m = Model()
    for stream, frame in fr:
        m.apply(stream, frame)
    return m


def test_rates_over_the_window_from_rows_sent_only_when_changed() -> None:
    view = build_snapshot(model_of(with_threads(CFG))).syscalls
    read = next(r for r in view.rows if r.name == "read")
    # now = t0 + 19, the window is (9, 19]: worker-1 stopped at 10, so one second of its calls
    assert view.threads_window_s == WINDOW_S
    assert [(t.tid, t.name) for t in read.threads] == [(4243, "worker-0"), (4244, "worker-1")]
    w0, w1 = read.threads
    assert w0.per_s == 9000 and w1.per_s == 300
    assert w0.share == pytest.approx(90_000 / 93_000) and w1.share == pytest.approx(3 / 93)
    assert w0.mean_ns == pytest.approx(1000) and w1.mean_ns == pytest.approx(2000)
    assert w0.errors == 0
    futex = next(r for r in view.rows if r.name == "futex")
    assert [(t.tid, t.per_s, t.errors) for t in futex.threads] == [(4246, 2500, 4000)]
    assert view.threads_note == ""


def test_the_window_is_shorter_at_the_start_and_a_new_run_adds_on() -> None:
    early = build_snapshot(model_of(with_threads(replace(CFG, samples=4)))).syscalls
    read = next(r for r in early.rows if r.name == "read")
    assert early.threads_window_s == 3.0  # since the probe started counting (caps at t0)
    assert [t.per_s for t in read.threads] == [9000, 3000]
    # A restarted probe counts from zero again: its first rows add to the totals kept.
    m = model_of(with_threads(replace(CFG, samples=4)))
    t0 = CFG.t0 + 10
    for f in ({"k": "hello", "ts": t0, "seq": 0, "schema": SCHEMA_VERSION, "probe": "ebpf",
               "caps": {},
               "source": None, "detail": "full"},
              {"k": "caps", "ts": t0, "seq": 1, "caps": {}, "source": "bpf", "detail": "full"},
              {"k": "sys", "ts": t0 + 1, "seq": 2, "strs": {7: "read"}, "calls": {7: 500},
               "bythread": [[4243, 7, 500, 0.0005, 0, True]]}):
        m.apply("ebpf", f)
    pair = m.sys.threads.pairs["read"][4243]
    assert pair.total()[0] == 27_000 + 500


def test_a_recording_started_mid_stream_counts_from_a_pairs_first_row() -> None:
    # A recording started at t=5 (perftui.session.prologue): the ebpf hello and caps are
    # restamped then, and the sys frames before are missing.  Rows of pairs already counting
    # carry no ``first`` mark: what they counted before t=5 is not in the rates.
    start = CFG.t0 + 5
    fr = with_threads(replace(CFG, samples=12))
    strs = next(f["strs"] for s, f in fr if s == "ebpf" and f["k"] == "sys")
    cut = [(s, {**f, "ts": start, "strs": strs} if s == "ebpf" and f["k"] in ("hello", "caps")
            else f) for s, f in fr
           if not (s == "ebpf" and f["k"] == "sys" and f["ts"] < start)]
    view = build_snapshot(model_of(cut)).syscalls
    read = next(r for r in view.rows if r.name == "read")
    assert view.threads_window_s == 6.0
    assert [t.per_s for t in read.threads] == [9000, 15_000 / 6]


@pytest.mark.parametrize(("source", "detail", "note"), [
    ("perf", "full", "calls only"), ("bpf", "counts", "--detail counts")])
def test_notes_when_the_split_is_partial_or_missing(source: str, detail: str,
                                                    note: str) -> None:
    fr = with_threads(replace(CFG, ebpf=EbpfGen(source=source)), source=source)
    fr = [(s, {**f, "detail": detail} if f["k"] in ("hello", "caps") else f) for s, f in fr]
    view = build_snapshot(model_of(fr)).syscalls
    assert note in view.threads_note
    read = next(r for r in view.rows if r.name == "read")
    if source == "perf":
        assert read.threads[0].per_s == 9000 and read.threads[0].mean_ns is None
        assert read.threads[0].errors is None


def _detail_text(fr: list[tuple[str, Frame]]) -> str:
    """The detail screen of the busiest syscall (read), as on a 110x70 terminal."""
    async def run() -> str:
        app = create_app(CannedSource(fr), interval=1.0)
        async with app.run_test(size=(110, 70)) as pilot:
            await pilot.pause()
            app.query_one(SyscallPane).focus()
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, SyscallDetailScreen)
            return "\n".join(screen_lines(app))

    return asyncio.run(run())


def test_detail_screen_shows_the_threads_of_the_syscall() -> None:
    text = _detail_text(with_threads(CFG))
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "By thread (last 10 s)" in line)
    section = [line.strip("│ ") for line in lines[at + 1:at + 4]]
    assert section[0].split() == ["tid", "thread", "calls/s", "share", "errors", "mean"]
    assert section[1].split() == ["4243", "worker-0", "9.00k/s", "96.8%", "0", "1.00", "µs"]
    assert section[2].split() == ["4244", "worker-1", "300/s", "3.2%", "0", "2.00", "µs"]
    assert "estimates" not in text


def test_detail_screen_says_when_figures_are_estimates_or_missing() -> None:
    sampled = [(s, {**f, "lat_every": 16} if f["k"] == "sys" else f)
               for s, f in with_threads(CFG)]
    assert "one call in 16 is timed" in _detail_text(sampled)
    counts = [(s, {**f, "detail": "counts"} if f["k"] in ("hello", "caps") else f)
              for s, f in with_threads(CFG)]
    text = _detail_text(counts)
    assert "no per-thread split: the probe runs with --detail counts" in text
    assert "worker-0" not in text.split("By thread")[1]


def test_seeks_give_the_split_of_a_replay_from_the_start(tmp_path: Path) -> None:
    from perftui.session.checkpoints import Checkpoints

    cfg = replace(CFG, samples=400)
    # worker-1 stops at 150 s: between checkpoints (every 60 s) only worker-0 sends rows
    fr = with_threads(cfg, {**SPLIT, 4244: (READ, 3000, 2e-6, 0, 150.0)})
    path = str(tmp_path / "threads.perftui")
    write_frames(path, new_header(cfg.pid), fr)
    with SessionReader(path) as r:
        index = r.index()
    cps = Checkpoints(path, index, Model, spacing_s=60)
    cps.build(threading.Event())
    assert len(cps) > 4
    for n in (len(fr), 1234, 777, 600, 5):
        want = build_snapshot(model_of(fr[:n]))
        assert build_snapshot(cps.model_at(n)) == want, n
    last = build_snapshot(model_of(fr)).syscalls.rows
    assert [t.tid for t in next(r for r in last if r.name == "read").threads] == [4243]


def test_a_thread_that_ended_keeps_its_name_in_the_split() -> None:
    fr = []
    for stream, f in with_threads(CFG):
        if stream == "procfs" and f["k"] == "sample" and f["ts"] - CFG.t0 > 10:
            f = {**f, "threads": [row for row in f["threads"] if row[0] != 4244]}
        fr.append((stream, f))
    model = model_of(fr)
    assert 4244 not in model.process.threads  # worker-1 ended at 10 s...
    read = next(r for r in build_snapshot(model).syscalls.rows if r.name == "read")
    # ...and its last second of reads, still in the window, keeps its name
    assert [(t.tid, t.name) for t in read.threads] == [(4243, "worker-0"), (4244, "worker-1")]
