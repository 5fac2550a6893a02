"""The replay in the app: every replay key against a ReplaySource on a session made here."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from perftui.session import new_header
from perftui.session.writer import write_frames
from perftui.sources.base import ReplayPosition
from perftui.sources.replay import MAX, ReplaySource
from perftui.ui import create_app
from perftui.ui.app import PerftuiApp
from perftui.ui.replay import KEYS, ReplayApp
from perftui.ui.screens.goto import GotoScreen, parse_goto
from perftui.ui.screens.help import HelpScreen
from perftui.ui.widgets.timeline import GAP, MARKER, TimelineBar, bar_parts, timeline_line
from perftui.units import fmt_percent
from tests.support.app import run_async, screen_lines, text_of
from tests.support.framegen import Frame, GenConfig, frames
from tests.support.replay import GAP_AT, GAP_S, settle, with_gap

WIDE = (160, 48)
# The CPU swings, so each position shows its own number.
CFG = GenConfig(samples=60, cpu_wave=0.35)


def cpu_at(cfg: GenConfig, i: int) -> str:
    """The CPU pane's total after sample i: the interval (i-1, i] at the wave's factor."""
    return fmt_percent(cfg.cpu_total * cfg.cpu_factor(i))


def write(path: Path, items: list[tuple[str, Frame]], cfg: GenConfig = CFG) -> str:
    write_frames(str(path), new_header(cfg.pid, interval=cfg.interval), items)
    return str(path)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[str]:
    yield write(tmp_path / "s.perftui", frames(CFG))


def replay_app(path: str, **kw: object) -> tuple[PerftuiApp, ReplaySource]:
    source = ReplaySource(path, playing=False, **kw)  # type: ignore[arg-type]
    return create_app(source), source


def notes(app: PerftuiApp) -> list[str]:
    """The notifications shown so far (toasts are drawn later, on their own layer)."""
    return [n.message for n in app._notifications]


def samples(app: PerftuiApp) -> int:
    return app.feed.read(lambda m: m.process.samples)


def timeline(app: PerftuiApp) -> str:
    return app.query_one(TimelineBar).text


@run_async
async def test_the_replay_app_has_its_header_timeline_and_keys(session: str) -> None:
    app, source = replay_app(session)
    assert isinstance(app, ReplayApp)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("right")
        await settle(app, source)
        assert "REPLAY" in text_of(app, "header") and "s.perftui" in text_of(app, "header")
        line = timeline(app)
        assert "paused" in line and "00:00:00 / 00:00:59" in line and MARKER in line
        footer = screen_lines(app)[-1]
        assert "Play/pause" in footer and "Go to" in footer and "Record" not in footer


@run_async
async def test_right_and_left_step_one_sample(session: str) -> None:
    app, source = replay_app(session)
    async with app.run_test(size=WIDE) as pilot:
        for n in (1, 2, 3):
            await pilot.press("right")
            await settle(app, source)
            assert samples(app) == n
        assert f"total {cpu_at(CFG, 2)}" in text_of(app, "cpu")
        assert source.position.offset_s == 2.0
        await pilot.press("left")
        await settle(app, source)
        assert samples(app) == 2 and source.resets == 1  # back: a rebuilt model
        assert f"total {cpu_at(CFG, 1)}" in text_of(app, "cpu")


@run_async
async def test_end_then_home_resets_the_model(session: str) -> None:
    app, source = replay_app(session)
    last = CFG.samples - 1
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("end")
        await settle(app, source)
        assert source.position.at_end and samples(app) == CFG.samples
        assert f"total {cpu_at(CFG, last)}" in text_of(app, "cpu")
        assert "at end" in timeline(app) and "00:00:59 / 00:00:59" in timeline(app)
        await pilot.press("home")
        await settle(app, source)
        assert source.position.offset_s == 0.0 and source.resets >= 1
        assert samples(app) == 1  # the first sample only: no rate yet
        assert "total \N{EN DASH}" in text_of(app, "cpu")  # the placeholder for not known
        assert "00:00:00 /" in timeline(app)
        await pilot.press("right")
        await settle(app, source)
        assert f"total {cpu_at(CFG, 1)}" in text_of(app, "cpu")


@run_async
async def test_shift_arrows_move_ten_seconds(session: str) -> None:
    app, source = replay_app(session)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("shift+right")
        await settle(app, source)
        assert source.position.offset_s == 10.0 and samples(app) == 11
        assert f"total {cpu_at(CFG, 10)}" in text_of(app, "cpu")
        await pilot.press("shift+right", "shift+left")
        await settle(app, source)
        assert source.position.offset_s == 10.0 and "00:00:10 /" in timeline(app)


@run_async
async def test_speed_keys_cycle_through_the_speeds(session: str) -> None:
    app, source = replay_app(session)
    async with app.run_test(size=WIDE) as pilot:
        seen = []
        for _ in range(4):
            await pilot.press("right_square_bracket")
            seen.append((source.position.speed, timeline(app).split()[1]))
        assert seen == [(2.0, "2x"), (10.0, "10x"), (MAX, "max"), (MAX, "max")]
        await pilot.press("left_square_bracket")
        assert source.position.speed == 10.0 and " 10x " in timeline(app)
        for _ in range(4):
            await pilot.press("left_square_bracket")
        assert source.position.speed == 1.0 and " 1x " in timeline(app)


@run_async
async def test_space_plays_and_pauses(session: str) -> None:
    app, source = replay_app(session, speed=MAX)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        assert "playing" in timeline(app) or source.position.at_end
        await settle(app, source)  # max speed: to the end, where playback pauses
        assert source.position.at_end and samples(app) == CFG.samples
        assert "at end" in timeline(app)
        await pilot.press("space")  # at the end, play starts again from the start
        assert source.wait_idle()
        await pilot.press("space")
        await settle(app, source)
        assert not source.position.playing


@run_async
async def test_g_goes_to_a_typed_time_and_explains_a_bad_one(session: str) -> None:
    app, source = replay_app(session)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, GotoScreen)
        await pilot.press(*"0:30", "enter")
        assert not isinstance(app.screen, GotoScreen)
        await settle(app, source)
        assert source.position.offset_s == 30.0 and samples(app) == 31
        assert f"total {cpu_at(CFG, 30)}" in text_of(app, "cpu")
        await pilot.press("g", *"soon", "enter")
        await pilot.pause()
        assert isinstance(app.screen, GotoScreen)  # still asking, with the reason
        assert "not a time: 'soon'" in "\n".join(screen_lines(app))
        await pilot.press("escape")
        assert not isinstance(app.screen, GotoScreen)
        assert source.position.offset_s == 30.0


@run_async
async def test_plus_minus_and_r_explain_themselves(session: str) -> None:
    app, _ = replay_app(session)
    async with app.run_test(size=WIDE) as pilot:
        for key, says in (("plus", "recorded interval"), ("minus", "recorded interval"),
                          ("r", "a recording already")):
            await pilot.press(key)
            assert says in notes(app)[-1]
        assert len(notes(app)) == 3
        assert app.interval == CFG.interval and not app.recording.active


@run_async
async def test_help_lists_every_replay_key(session: str) -> None:
    app, _ = replay_app(session)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(screen_lines(app))
        assert "Replay keys" in text
        listed = {k.strip() for keys, _ in KEYS for k in keys.split(",")}
        names = {"left_square_bracket": "[", "right_square_bracket": "]", "plus": "+",
                 "minus": "-"}
        for binding in ReplayApp.BINDINGS:
            for key in binding.key.split(","):  # type: ignore[union-attr]
                if key in ("plus", "minus", "r"):
                    continue  # explained with a notification, not keys of the replay
                assert names.get(key, key) in listed, key
        for keys, _ in KEYS:
            assert keys in text


@run_async
async def test_timeline_marks_the_gap(tmp_path: Path) -> None:
    path = write(tmp_path / "gap.perftui", with_gap(frames(CFG), CFG))
    app, source = replay_app(path)
    pos = source.position
    assert pos.gaps and pos.gaps[0][0] == pytest.approx(GAP_AT - 1, abs=1)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("end")
        await settle(app, source)
        line = timeline(app)
        bar = line[line.index("━"):line.index(MARKER) + 1]
        first, last = bar.index(GAP), bar.rindex(GAP)
        # The hole is GAP_S of a (GAP_S + samples) recording, a third of the way in.
        assert first / len(bar) == pytest.approx(GAP_AT / (GAP_S + CFG.samples), abs=0.05)
        assert (last - first + 1) / len(bar) == pytest.approx(
            GAP_S / (GAP_S + CFG.samples - 1), abs=0.05)


def test_timeline_line_is_pure_and_fits() -> None:
    p = ReplayPosition(offset_s=751.0, length_s=3600.0, start_ts=0.0, ts=751.0, frame=10,
                       frames=100, playing=True, speed=2.0, at_end=False,
                       gaps=((1800.0, 2400.0),))
    line = timeline_line(p, 80).plain
    assert line.startswith("▶  2x  00:12:31 / 01:00:00 ") and line.endswith(" playing")
    assert len(line) == 80 and line.count(MARKER) == 1 and GAP in line
    narrow = timeline_line(p, 30).plain  # no room for the bar: the times stay
    assert "00:12:31" in narrow and MARKER not in narrow
    cells = "".join(t for t, _ in bar_parts(p, 60))
    assert len(cells) == 60 and cells.index(MARKER) == round(751 / 3600 * 59)
    assert cells[30:40] == GAP * 10
    paused = replace(p, playing=False, speed=math.inf)
    assert timeline_line(paused, 80).plain.startswith("‖ max  00:12:31")


def test_goto_parses_offsets_clock_times_and_refuses_the_rest() -> None:
    start, length = 1_700_000_000.0, 3600.0
    assert parse_goto("90", start, length) == 90.0
    assert parse_goto("5m", start, length) == 300.0
    assert parse_goto("12:31", start, length) == 751.0
    assert parse_goto("1:00:00", start, length) == 3600.0
    assert parse_goto("-60", start, length) == 3540.0
    assert parse_goto(str(start + 42), start, length) == 42.0
    clock = os.popen(f"date -d @{start + 1234:.0f} +%H:%M:%S").read().strip()
    assert parse_goto("@" + clock, start, length) == 1234.0
    assert parse_goto(clock, start, length) == 1234.0  # no offset that long: a clock time
    for bad in ("", "soon", "2h", "-2h", "@25:00", "99:00:00"):
        with pytest.raises(ValueError):
            parse_goto(bad, start, length)


@run_async
async def test_a_damaged_file_says_so_in_the_header(tmp_path: Path) -> None:
    path = tmp_path / "cut.perftui"
    write(path, frames(CFG))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])  # index and last chunks gone
    app, source = replay_app(str(path))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("end")
        await settle(app, source)
        header = text_of(app, "header")
        assert "REPLAY" in header and "⚠" in header and "not closed cleanly" in header
