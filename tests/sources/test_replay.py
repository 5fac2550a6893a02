"""ReplaySource: a recorded session gives the model the live one had, frame for frame, and
seeks, steps, speeds and gaps behave as the timeline needs."""

from __future__ import annotations

import random
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from perftui.model import Model
from perftui.session import SessionReader, SessionRecorder, new_header
from perftui.session.writer import write_frames
from perftui.sources.live import LiveSource
from perftui.sources.replay import MAX, ReplaySource
from perftui.views.snapshot import Snapshot, build_snapshot
from tests.support.framegen import GenConfig, frames

Frame = dict[str, Any]


class App:
    """What the app does with a source: a model under a lock, replaced on reset."""

    def __init__(self) -> None:
        self.model = Model()
        self.lock = threading.Lock()
        self.raws: list[tuple[str, bytes]] = []
        self.snaps: list[Snapshot] = []
        self.keep_snaps = False

    def sink(self, stream: str, raw: bytes, frame: Frame) -> None:
        with self.lock:
            self.model.apply(stream, frame)
            self.raws.append((stream, raw))
            if self.keep_snaps:
                self.snaps.append(build_snapshot(self.model))

    def reset(self, model: Model) -> None:
        with self.lock:
            self.model = model

    def snapshot(self) -> Snapshot:
        with self.lock:
            return build_snapshot(self.model)


def reference(fr: list[tuple[str, Frame]], n: int, history: int = 3600) -> Snapshot:
    m = Model(history=history)
    for stream, frame in fr[:n]:
        m.apply(stream, frame)
    return build_snapshot(m)


def test_live_session_replays_to_the_same_model_frame_for_frame(
        target: subprocess.Popen[str], tmp_path: Path) -> None:
    path = tmp_path / "live.perftui"
    recorder = SessionRecorder(str(path), new_header(target.pid, interval=0.2))
    live = App()
    live.keep_snaps = True

    def tee(stream: str, raw: bytes, frame: Frame) -> None:
        recorder.write(stream, raw, frame)
        live.sink(stream, raw, frame)

    source = LiveSource(target.pid, interval=0.2)
    source.start(tee)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and live.model.process.samples < 12:
        time.sleep(0.1)
    source.stop()
    recorder.close()
    assert live.model.process.samples >= 12
    names = {t.name for t in live.model.process.threads.values()}
    assert {"busy-worker", "idle-a", "idle-b"} <= names

    replayed = App()
    replayed.keep_snaps = True
    replay = ReplaySource(str(path), speed=MAX)
    replay.start(replayed.sink)
    assert replay.wait_idle(20)
    replay.stop()
    assert replayed.raws == live.raws  # the very bytes the probes wrote
    assert len(replayed.snaps) == len(live.snaps)
    for i, (a, b) in enumerate(zip(live.snaps, replayed.snaps, strict=True)):
        assert a == b, f"snapshot after frame {i} differs"


@pytest.fixture
def session(tmp_path: Path) -> tuple[str, list[tuple[str, Frame]]]:
    cfg = GenConfig(samples=900, rss_growth_per_s=20_000, cpu_wave=0.5)
    fr = frames(cfg)
    path = str(tmp_path / "gen.perftui")
    write_frames(path, new_header(cfg.pid), fr)
    return path, fr


def test_seeks_anywhere_give_exactly_the_model_of_a_replay_from_the_start(
        session: tuple[str, list[tuple[str, Frame]]]) -> None:
    path, fr = session
    for history in (3600, 100):  # 100: ring buffers that overflow between checkpoints
        app = App()
        app.model = Model(history=history)
        src = ReplaySource(path, playing=False, spacing_s=60,
                           model_factory=lambda h=history: Model(history=h))  # type: ignore[misc]
        src.on_reset = app.reset
        src.start(app.sink)
        rng = random.Random(5)
        targets = [len(fr), 0, 1, len(fr) // 2, *(rng.randrange(len(fr)) for _ in range(12))]
        for n in targets:
            src._push("frame", n)  # the frame-exact seek under seek(ts)
            assert src.wait_idle()
            assert src.position.frame == n
            assert app.snapshot() == reference(fr, n, history), (history, n)
            if n == len(fr):
                assert len(app.model.process.series["rss"]) == min(history, 900)
        assert src.resets >= 5  # backward and long forward moves went through on_reset
        src.stop()


def test_seek_by_time_jump_home_end(session: tuple[str, list[tuple[str, Frame]]]) -> None:
    path, fr = session
    t0 = fr[0][1]["ts"]
    app = App()
    src = ReplaySource(path, playing=False)
    src.on_reset = app.reset
    src.start(app.sink)
    src.seek_offset(300.5)
    assert src.wait_idle()
    upto = sum(1 for _, f in fr if f["ts"] <= t0 + 300.5)
    assert src.position.frame == upto and app.snapshot() == reference(fr, upto)
    assert src.position.offset_s == 300.0
    src.jump(-10)
    assert src.wait_idle()
    assert src.position.offset_s == 290.0
    src.jump(10)
    assert src.wait_idle()
    assert src.position.offset_s == 300.0
    src.end()
    assert src.wait_idle()
    pos = src.position
    assert pos.at_end and pos.frame == len(fr) and pos.offset_s == pos.length_s == 899.0
    src.home()
    assert src.wait_idle()
    assert src.position.offset_s == 0.0
    assert app.snapshot() == reference(fr, src.position.frame)
    src.stop()


def test_steps_go_one_sample_at_a_time(session: tuple[str, list[tuple[str, Frame]]]) -> None:
    path, fr = session
    app = App()
    src = ReplaySource(path, playing=False)
    src.on_reset = app.reset
    src.start(app.sink)
    after_sample = [i + 1 for i, (s, f) in enumerate(fr) if s == "procfs" and f["k"] == "sample"]
    for k in range(3):
        src.step(1)
        assert src.wait_idle()
        assert src.position.frame == after_sample[k]
    src.seek_offset(500)
    assert src.wait_idle()
    here = src.position.frame
    k = max(i for i, p in enumerate(after_sample) if p <= here)
    src.step(-1)
    assert src.wait_idle()
    assert src.position.frame == after_sample[k - 1]
    assert app.snapshot() == reference(fr, after_sample[k - 1])
    src.step(1)
    assert src.wait_idle()
    assert src.position.frame == after_sample[k]
    src.stop()


def test_backward_moves_need_on_reset(session: tuple[str, list[tuple[str, Frame]]]) -> None:
    path, _ = session
    app = App()
    src = ReplaySource(path, playing=False)
    src.start(app.sink)
    src.seek_offset(20)
    assert src.wait_idle()
    here = src.position.frame
    src.seek_offset(5)
    assert src.wait_idle()
    assert src.position.frame == here
    assert any("on_reset" in w for w in src.warnings)
    src.stop()


def paced(tmp_path: Path, name: str, gap_at: int | None = None) -> str:
    """20 samples 0.05 s apart (a 100 s hole after the 10th when ``gap_at``)."""
    cfg = GenConfig(samples=20, interval=0.05)
    fr = []
    for stream, frame in frames(cfg):
        if gap_at is not None and frame["ts"] >= cfg.t0 + gap_at * cfg.interval:
            frame = {**frame, "ts": frame["ts"] + 100}
        fr.append((stream, frame))
    path = str(tmp_path / name)
    write_frames(path, replace(new_header(cfg.pid), interval=0.05), fr, flush_s=0.2)
    return path


@pytest.mark.parametrize(("speed", "low", "high"), [(1.0, 0.85, 1.6), (10.0, 0.0, 0.4)])
def test_playback_keeps_the_recorded_pace(tmp_path: Path, speed: float, low: float,
                                          high: float) -> None:
    src = ReplaySource(paced(tmp_path, "p.perftui"), speed=speed)
    t = time.monotonic()
    src.start(App().sink)
    assert src.wait_idle(10)
    elapsed = time.monotonic() - t
    src.stop()
    assert low <= elapsed <= high, elapsed  # 19 intervals of 0.05 s = 0.95 s at 1x
    assert src.position.at_end and not src.position.playing


def test_gaps_are_shown_and_skipped(tmp_path: Path) -> None:
    src = ReplaySource(paced(tmp_path, "g.perftui", gap_at=10))
    gaps = src.position.gaps
    assert len(gaps) == 1 and gaps[0][1] - gaps[0][0] == pytest.approx(100.05)
    t = time.monotonic()
    src.start(App().sink)
    assert src.wait_idle(10)
    src.stop()
    assert time.monotonic() - t < 2.5  # not 100 s


def test_pause_play_and_speeds(session: tuple[str, list[tuple[str, Frame]]]) -> None:
    path, fr = session
    app = App()
    src = ReplaySource(path, playing=False)
    src.on_reset = app.reset
    src.start(app.sink)
    time.sleep(0.2)
    assert src.position.frame == 0 and not src.position.playing
    src.set_speed(MAX)
    src.play()
    assert src.wait_idle(20)
    assert src.position.at_end and src.position.frame == len(fr)
    src.set_speed(1.0)
    src.play()  # at the end, play starts again from the beginning
    time.sleep(0.3)
    src.pause()
    assert src.wait_idle()
    assert 0 < src.position.frame < 10 and src.position.offset_s <= 1.0
    assert app.snapshot() == reference(fr, src.position.frame)
    src.faster()
    assert src.position.speed == 2.0
    for _ in range(3):
        src.faster()
    assert src.position.speed == MAX
    src.slower()
    assert src.position.speed == 10.0
    with pytest.raises(ValueError):
        src.set_speed(0)
    src.stop()


def test_description_interval_and_empty_file(tmp_path: Path,
                                             session: tuple[str, list[tuple[str, Frame]]]
                                             ) -> None:
    from perftui.session import SessionError
    from perftui.session.writer import SessionWriter

    path, _ = session
    src = ReplaySource(path)
    assert src.description.startswith("replay of gen.perftui") and src.interval == 1.0
    assert not src.live
    src.stop()
    empty = str(tmp_path / "empty.perftui")
    SessionWriter(empty, new_header(1)).close()
    with SessionReader(empty) as r:
        assert r.index().frames == 0
    with pytest.raises(SessionError, match="holds no frames"):
        ReplaySource(empty)


def test_checkpoints_stay_within_their_budget_and_exact(
        session: tuple[str, list[tuple[str, Frame]]]) -> None:
    from perftui.session.checkpoints import Checkpoints

    path, fr = session
    with SessionReader(path) as r:
        index = r.index()
    roomy = Checkpoints(path, index, Model, spacing_s=60)
    roomy.build(threading.Event())
    one = roomy.size // (len(roomy) - 1)
    tight = Checkpoints(path, index, Model, spacing_s=60, budget=4 * one)
    tight.build(threading.Event())
    assert len(roomy) == 15 and tight.size <= 4 * one + one
    assert len(tight) <= 5 and tight.spacing_s >= 240
    for n in (len(fr), 1234, 777):
        assert build_snapshot(tight.model_at(n)) == reference(fr, n)


def test_seeks_with_stack_samples_are_exact_and_share_slices(tmp_path: Path) -> None:
    from perftui.model.checkpoint import checkpoint, restore
    from perftui.session.checkpoints import Checkpoints
    from tests.support.stacks import with_stacks

    cfg = GenConfig(samples=400)
    fr = with_stacks(cfg, 0.6)
    path = str(tmp_path / "py.perftui")
    write_frames(path, new_header(cfg.pid), fr)
    with SessionReader(path) as r:
        index = r.index()
    cps = Checkpoints(path, index, Model, spacing_s=60)
    cps.build(threading.Event())
    for n in (len(fr), 555, 1001):
        m = Model()
        for stream, frame in fr[:n]:
            m.apply(stream, frame)
        got = cps.model_at(n)
        assert build_snapshot(got) == build_snapshot(m)
        assert got.pystacks.session == m.pystacks.session
        assert [s.t0 for s in got.pystacks.slices] == [s.t0 for s in m.pystacks.slices]
    saved = checkpoint(m)
    assert saved.pystacks.slices[0] is m.pystacks.slices[0]  # frozen: shared, not copied
    assert saved.pystacks.session is not m.pystacks.session  # mutable: copied
    assert restore(saved).pystacks.slices[-1] is m.pystacks.slices[-1]
