"""Recording from the live view (``r``, ``--record``): the file holds what the app received,
stands on its own when started mid-session, and is closed with its index on quit."""

from __future__ import annotations

import asyncio
import errno
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgpack
import pytest

from perftui.model import Model
from perftui.session import SessionReader, SessionRecorder, new_header
from perftui.session.prologue import Prologue
from perftui.sources.replay import MAX, ReplaySource
from perftui.ui import create_app
from perftui.units import fmt_bytes
from perftui.views.snapshot import build_snapshot
from perftui.views.stacks import top_functions
from tests.support.app import run_async, text_of
from tests.support.cli import perftui
from tests.support.framegen import Frame, GenConfig, PushSource
from tests.support.stacks import with_stacks

WIDE = (160, 48)
CFG = GenConfig(samples=61)
HOT = 0.6  # share of the stack samples in main -> work -> hot


@pytest.fixture
def here(tmp_path: Path) -> Iterator[Path]:
    """Run in an empty directory: ``r`` records there."""
    old = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


def split_at(items: list[tuple[str, Frame]], ts: float) -> tuple[list[Any], list[Any]]:
    return [i for i in items if i[1]["ts"] < ts], [i for i in items if i[1]["ts"] >= ts]


def pack(frame: Frame) -> bytes:
    return msgpack.packb(frame, use_bin_type=True)


def read_back(path: Path) -> tuple[SessionReader, list[tuple[str, bytes, Frame]]]:
    reader = SessionReader(str(path))
    return reader, list(reader.frames())


def model_of(items: list[tuple[str, Any, Frame]]) -> Model:
    m = Model()
    for stream, *_, frame in items:
        m.apply(stream, frame)
    return m


async def until(pred: Any, what: str) -> None:
    for _ in range(200):
        if pred():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never: {what}")


def session_file(directory: Path) -> Path:
    found = list(directory.glob("*.perftui"))
    assert len(found) == 1, found
    return found[0]


@run_async
async def test_r_records_from_now_and_the_file_stands_on_its_own(here: Path) -> None:
    before, after = split_at(with_stacks(CFG, HOT), CFG.t0 + 30)
    source = PushSource(before)
    app = create_app(source)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r")
        path = session_file(here)
        assert re.fullmatch(rf"perftui-[\w.-]+-{CFG.pid}-\d{{8}}-\d{{6}}\.perftui", path.name)
        header = text_of(app, "header")
        assert "● REC" in header and path.name in header
        for stream, frame in after:
            source.push(stream, frame)
        await pilot.pause()
        app.recording.recorder.flush()  # type: ignore[union-attr]
        await until(lambda: fmt_bytes(path.stat().st_size) in text_of(app, "header"),
                    "the header follows the file's size")
        await pilot.press("r")
        assert not app.recording.active and "REC" not in text_of(app, "header")
        live = app.feed.read(build_snapshot)
    reader, got = read_back(path)
    assert reader.closed_cleanly and reader.index().frames == len(got)
    assert reader.header.pid == CFG.pid and reader.header.probes.keys() == {"procfs", "pyspy"}
    prologue = len(got) - len(after)
    assert 0 < prologue < 10
    # Every frame after the prologue is the raw frame the app received, unchanged.
    assert [(s, raw) for s, raw, _ in got[prologue:]] == [(s, pack(f)) for s, f in after]
    # ...and the file alone rebuilds what the live view showed.
    m = model_of(got)
    replayed = build_snapshot(m)
    assert replayed.header.pid == CFG.pid and "worker.py" in replayed.header.command
    assert replayed.cpu.percent == live.cpu.percent and replayed.cpu.threads == live.cpu.threads
    assert all(p.lost_frames == 0 and p.state == "live" for p in replayed.header.probes)
    assert m.pystacks.unknown_samples == 0  # the stacks defined before `r` came along
    hot = next(f for f in top_functions(m.pystacks) if f.function == "hot")
    assert hot.self_samples == len([f for s, f in after if s == "pyspy"]) * round(100 * HOT)
    assert m.pystacks.names[CFG.pid] == "MainThread"


@run_async
async def test_quit_stops_the_recording_and_the_file_is_complete(here: Path) -> None:
    before, after = split_at(with_stacks(CFG, HOT), CFG.t0 + 10)
    source = PushSource(before)
    app = create_app(source)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r")
        for stream, frame in after:
            source.push(stream, frame)
        await pilot.pause()
        await pilot.press("q")
    path = session_file(here)
    assert app.recorded == [str(path.name)] and not app.recording.active
    reader, got = read_back(path)
    assert reader.closed_cleanly and not reader.warnings
    assert reader.index().frames == reader.extra["frames"] == len(got)
    assert got[-1][2] == after[-1][1]
    # A replay of it plays to the end with the same numbers.
    replay = ReplaySource(str(path), speed=MAX)
    assert replay.position.length_s == pytest.approx(CFG.samples - 1 - 10, abs=1)
    replay.stop()


@run_async
async def test_a_write_error_stops_the_recording_and_keeps_what_was_written(here: Path) -> None:
    cfg = GenConfig(samples=40)
    before, after = split_at(with_stacks(cfg, HOT), cfg.t0 + 10)
    source = PushSource(before)
    app = create_app(source)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r")
        for stream, frame in after[:20]:
            source.push(stream, frame)
        recorder = app.recording.recorder
        assert recorder is not None
        recorder.flush()
        kept = recorder.frames

        def full(_: bytes) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        recorder._writer._write = full  # type: ignore[method-assign]
        for stream, frame in after[20:]:
            source.push(stream, frame)
        recorder.flush()
        await until(lambda: "No space left on device" in text_of(app, "header"),
                    "the error in the header")
        header = text_of(app, "header")
        assert "recording stopped" in header and "● REC" not in header
        assert not app.recording.active and recorder.closed
    reader, got = read_back(session_file(here))
    assert len(got) == kept and not reader.closed_cleanly  # the rest is readable, as it was


@run_async
async def test_record_to_takes_every_frame_from_the_first(tmp_path: Path) -> None:
    items = with_stacks(GenConfig(samples=20), HOT)
    path = tmp_path / "all.perftui"
    recorder = SessionRecorder(str(path), new_header(CFG.pid, probes=["procfs", "pyspy"]))
    source = PushSource(items)
    app = create_app(source, record_to=recorder)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "● REC all.perftui" in text_of(app, "header")
    assert recorder.closed
    reader, got = read_back(path)
    assert reader.closed_cleanly
    assert [(s, raw) for s, raw, _ in got] == [(s, pack(f)) for s, f in items]


def test_prologue_restarts_with_a_probe_and_numbers_its_copies() -> None:
    p = Prologue()
    assert p.frames() == []
    items = with_stacks(GenConfig(samples=10), HOT)
    for stream, frame in items:
        p.see(stream, frame)
    streams = [(s, f["k"]) for s, _, f in p.frames()]
    assert streams == [("perftui", "probe"), ("procfs", "hello"), ("procfs", "meta"),
                       ("pyspy", "hello"), ("pyspy", "chunk"), ("procfs", "sample")]
    # Last, the baseline: procfs's latest counters, with the time they were read.
    last_sample = [f for s, f in items if s == "procfs" and f["k"] == "sample"][-1]
    baseline = p.frames()[-1][2]
    assert baseline["baseline"] and baseline["measured_ts"] == last_sample["ts"]
    assert baseline["cpu"] == last_sample["cpu"]
    last_seq = {s: f["seq"] for s, f in items if s != "perftui"}
    for stream, raw, frame in p.frames():
        assert frame["ts"] == items[-1][1]["ts"]
        assert msgpack.unpackb(raw, strict_map_key=False) == frame
        if stream != "perftui":
            assert frame["seq"] == last_seq[stream]
    # A restarted probe numbers its strings from scratch: the old ones must not come along.
    p.see("pyspy", {**items[0][1], "k": "hello", "ts": 2e9, "seq": 0})
    p.see("pyspy", {"k": "chunk", "ts": 2e9, "seq": 1, "strs": {1: "new (x.py:1)"},
                    "stacks": {1: [1]}, "samples": [[1, 1, 5]]})
    chunk = next(f for s, _, f in p.frames() if s == "pyspy" and f["k"] == "chunk")
    assert chunk["strs"] == {1: "new (x.py:1)"} and chunk["samples"] == []


def test_record_flag_refuses_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "taken.perftui"
    out.write_bytes(b"mine")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        r = perftui("-p", str(sleeper.pid), "--record", str(out))
    finally:
        sleeper.kill()
        sleeper.wait()
    assert r.returncode == 2 and "already exists" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and out.read_bytes() == b"mine"
