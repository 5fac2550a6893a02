"""Pilot tests of the app: numbers on screen against the frames' ground truth, and every key."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from perftui.sources.canned import CannedSource
from perftui.ui import create_app
from perftui.ui.app import INTERVAL_STEPS, SnapshotReady, step_interval
from perftui.ui.screens.help import KEYS, HelpScreen
from perftui.ui.themes import THEME_NAMES, ThemeError, load_theme_file, load_themes
from perftui.ui.widgets.memory import MemoryPane
from perftui.ui.widgets.pane import Pane
from perftui.units import fmt_byte_rate, fmt_bytes, fmt_per_s, fmt_percent
from tests.support.app import WIDE, app_for, run_async, screen_lines, text_of
from tests.support.framegen import Frame, GenConfig, PushSource, frames, sample


def labelled(text: str, label: str, value: str) -> bool:
    """``label`` followed by ``value`` (values are right-aligned, so spaces may differ)."""
    return re.search(rf"{re.escape(label)}\s+{re.escape(value)}", text) is not None


def busier(cfg: GenConfig, i: int) -> Frame:
    """Sample i (after the cfg's last) with the CPU counters running twice as fast."""
    frame = sample(cfg, i, 100 + i)
    last = cfg.samples - 1
    frame["cpu"] = [(cfg.cpu_user * last + 2 * cfg.cpu_user * (i - last)) / 100,
                    (cfg.cpu_system * last + 2 * cfg.cpu_system * (i - last)) / 100]
    return frame


@run_async
async def test_numbers_on_screen_match_the_frames() -> None:
    cfg = GenConfig()
    app = app_for(cfg)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        cpu = text_of(app, "cpu")
        assert f"total {fmt_percent(cfg.cpu_total)}" in cpu  # 75.0%
        assert f"user {fmt_percent(cfg.cpu_user)}" in cpu
        busiest = max(cfg.threads, key=lambda t: t.share)
        row = next(line for line in cpu.splitlines() if busiest.name in line)
        assert str(busiest.tid) in row and fmt_percent(cfg.cpu_total * busiest.share) in row
        assert fmt_per_s(busiest.ctx_per_s) in row
        mem = text_of(app, "memory")
        last_rss = cfg.rss0  # no growth configured
        assert f"RSS {fmt_bytes(last_rss)}" in mem and fmt_bytes(cfg.vms) in mem
        assert fmt_per_s(cfg.minflt_per_s) in mem and "0.00 MiB/min" in mem
        fio = text_of(app, "fileio")
        assert fmt_byte_rate(cfg.rchar_per_s) in fio  # 3.00 MiB/s
        assert fmt_byte_rate(cfg.write_bytes_per_s) in fio
        assert "/var/log/worker/orders.log" in fio
        net = text_of(app, "net")
        total_sent = sum(c.sent_per_s for c in cfg.conns)
        assert labelled(net, "sent", fmt_byte_rate(total_sent))
        assert "10.0.0.9:5432" in net
        sys = text_of(app, "syscalls")
        assert fmt_per_s(cfg.syscr_per_s) in sys and "/proc" in sys
        assert "eBPF probe" in sys
        header = text_of(app, "header")
        assert "PID 4242" in header and "alice" in header and "worker.py" in header
        assert "perftui 0.8%" in header and "refresh 1 s" in header and "5 threads" in header


@run_async
async def test_compact_terminal_still_shows_the_key_numbers() -> None:
    cfg = GenConfig()
    app = app_for(cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert fmt_percent(cfg.cpu_total) in text_of(app, "cpu")
        assert fmt_bytes(cfg.rss0) in text_of(app, "memory")
        assert fmt_byte_rate(cfg.rchar_per_s) in text_of(app, "fileio")


@run_async
async def test_pause_freezes_the_ui_while_frames_keep_arriving() -> None:
    cfg = GenConfig(samples=5)
    source = PushSource(frames(cfg))
    app = create_app(source, interval=1.0)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "total 75.0%" in text_of(app, "cpu")
        await pilot.press("space")
        assert "PAUSED" in text_of(app, "header")
        drawn = app.refreshes
        # The target gets twice as busy: frames arrive, the model takes them, the UI waits.
        before = app.model.frames
        for i in range(5, 8):
            source.push("procfs", busier(cfg, i))
        await pilot.pause()
        assert app.model.frames == before + 3
        assert app.refreshes == drawn
        assert "total 75.0%" in text_of(app, "cpu")
        await pilot.press("p")
        await pilot.pause()
        assert "PAUSED" not in text_of(app, "header")
        assert "total 150.0%" in text_of(app, "cpu")


def test_interval_steps_and_clamps() -> None:
    assert step_interval(1.0, +1) == 2.0 and step_interval(1.0, -1) == 0.5
    assert step_interval(60.0, +1) == 60.0 and step_interval(0.1, -1) == 0.1
    assert step_interval(1.5, +1) == 2.0 and step_interval(1.5, -1) == 1.0
    assert step_interval(500.0, -1) == 60.0 and step_interval(0.01, +1) == 0.1
    assert INTERVAL_STEPS == (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


@run_async
async def test_plus_and_minus_change_the_source_interval() -> None:
    source = PushSource(frames(GenConfig(samples=3)))
    app = create_app(source, interval=1.0)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("plus")
        assert source.intervals == [2.0]
        await pilot.press("minus", "minus", "minus")
        assert source.intervals == [2.0, 1.0, 0.5, 0.2]
        await pilot.pause()
        assert "refresh 0.2 s" in text_of(app, "header")
        await pilot.press("minus", "minus")  # 0.1, then clamped: no further call
        assert source.intervals[-1] == 0.1 and len(source.intervals) == 5
    assert source.stopped


@run_async
async def test_tab_moves_focus_and_the_focused_pane_stands_out() -> None:
    app = app_for(GenConfig(samples=3))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        order = [p.id for p in app.query(Pane)]
        assert app.focused is not None and app.focused.id == "cpu"
        await pilot.press("tab")
        assert app.focused.id == order[1]
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.focused.id == "cpu"  # wraps round
        await pilot.press("shift+tab")
        assert app.focused.id == order[-1]
        focused, other = app.focused, app.query_one("#cpu")
        assert focused.styles.border_top != other.styles.border_top
        assert focused.styles.background != other.styles.background


@run_async
async def test_z_zooms_the_focused_pane_and_escape_returns() -> None:
    cfg = GenConfig(samples=30, threads=tuple(
        replace(GenConfig().threads[1], tid=5000 + n, name=f"w{n}") for n in range(60)))
    app = app_for(cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows_before = app.query_one("#threads").row_count
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#cpu")
        assert app.query_one("#threads").row_count > rows_before  # zoom shows more rows
        assert "w59" not in text_of(app, "header")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.maximized is None
        assert app.query_one("#threads").row_count == rows_before


@run_async
async def test_question_mark_opens_help_listing_every_key() -> None:
    app = app_for(GenConfig(samples=3))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(screen_lines(app))
        for keys, _ in KEYS:
            assert keys in text
        listed = {k.strip() for keys, _ in KEYS for k in keys.split(",")}
        for binding in app.BINDINGS:
            for key in binding.key.split(","):  # type: ignore[union-attr]
                if key.startswith("alt+"):
                    continue  # an alias of its letter (escape + letter typed fast)
                shown = {"plus": "+", "minus": "-", "question_mark": "?",
                         "exclamation_mark": "!"}.get(key, key)
                assert shown in listed, key
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark", "q")  # q quits from the help screen too
        await pilot.pause()
        assert not app.is_running


@run_async
async def test_t_cycles_the_three_themes() -> None:
    app = app_for(GenConfig(samples=3))
    async with app.run_test(size=WIDE) as pilot:
        assert app.theme == "perftui-dark"
        seen = []
        for _ in THEME_NAMES:
            await pilot.press("t")
            seen.append(app.theme)
        assert seen == ["perftui-light", "perftui-high-contrast", "perftui-dark"]


@run_async
async def test_theme_argument_picks_the_start_theme() -> None:
    app = app_for(GenConfig(samples=3), theme="perftui-high-contrast")
    async with app.run_test(size=WIDE):
        assert app.theme == "perftui-high-contrast"


def test_unknown_theme_names_the_available_ones() -> None:
    with pytest.raises(ValueError, match="perftui-dark, perftui-light, perftui-high-contrast"):
        app_for(GenConfig(samples=3), theme="solarized")


@run_async
async def test_q_quits_and_stops_the_source() -> None:
    source = PushSource(frames(GenConfig(samples=3)))
    app = create_app(source, interval=1.0)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert source.stopped


@run_async
async def test_header_shows_exit_status_and_panes_keep_their_data() -> None:
    cfg = GenConfig(gone=True, exit_code=3)
    app = app_for(cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "exited (exit status 3)" in text_of(app, "header")
        assert fmt_percent(cfg.cpu_total) in text_of(app, "cpu")


@run_async
async def test_failed_and_degraded_probes_show_in_the_header() -> None:
    cfg = GenConfig(extra_probes=(("ebpf", "failed", "needs CAP_BPF"),),
                    caps_missing=(("io", "permission denied: /proc/4242/io"),))
    app = app_for(cfg)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        header = text_of(app, "header")
        assert "ebpf ✗ failed: needs CAP_BPF" in header
        assert "procfs ⚠ degraded (io)" in header
        assert "permission denied: /proc/4242/io" in text_of(app, "fileio")


@run_async
async def test_schema_error_is_shown_and_the_app_lives_on() -> None:
    bad = frames(GenConfig(samples=3))
    bad[0] = (bad[0][0], bad[0][1] | {"schema": 99})
    app = create_app(CannedSource(bad), interval=1.0)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "frame schema 99" in text_of(app, "header")
        await pilot.press("tab")
        assert app.is_running


@run_async
async def test_a_malformed_frame_is_reported_and_the_last_data_stays() -> None:
    cfg = GenConfig(samples=5)
    source = PushSource(frames(cfg))
    app = create_app(source, interval=1.0)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        source.push("procfs", sample(cfg, 5, 50) | {"threads": [["not", "a", "thread"]]})
        await pilot.pause()
        assert "bad procfs sample frame" in text_of(app, "header")
        assert "total 75.0%" in text_of(app, "cpu")


@pytest.mark.parametrize(("growth", "warned"), [(256 * 1024, True), (0, False)])
@run_async
async def test_memory_warning_only_for_steady_growth(growth: int, warned: bool) -> None:
    app = app_for(GenConfig(samples=90, rss_growth_per_s=growth))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        warning = app.query_one(MemoryPane).query_one("#mem-warning")
        assert warning.display is warned
        assert ("RSS grew steadily" in text_of(app, "memory")) is warned
        if warned:
            assert "+15.0 MiB/min" in text_of(app, "memory")  # 256 KiB/s


@run_async
async def test_a_burst_of_frames_is_one_refresh() -> None:
    source = PushSource(frames(GenConfig(samples=3)))
    app = create_app(source, interval=1.0)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        drawn = app.refreshes
        for i in range(3, 40):
            source.push("procfs", sample(GenConfig(), i, i + 10))
        await pilot.pause()
        assert app.refreshes == drawn + 1
        assert app.model.process.samples == 40


def test_shipped_themes_load_in_cycle_order() -> None:
    assert list(load_themes())[:3] == list(THEME_NAMES)


def test_a_broken_theme_file_says_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "oops.toml"
    bad.write_text('name = "oops"\nprimary = "#12345g"\n')
    with pytest.raises(ThemeError, match=r"oops.toml: primary = '#12345g' is not a colour"):
        load_theme_file(bad)
    bad.write_text('name = "oops"\nprimary = "red"\nbackgound = "black"\n')
    with pytest.raises(ThemeError, match=r"unknown field.*backgound"):
        load_theme_file(bad)
    bad.write_text('name = "other"\nprimary = "red"\n')
    with pytest.raises(ThemeError, match="does not match the file name"):
        load_theme_file(bad)


@run_async
async def test_enter_on_the_cpu_pane_opens_hot_functions() -> None:
    from perftui.ui.screens.hot import HotScreen

    app = app_for(GenConfig(samples=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is app.query_one("#cpu")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HotScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("tab", "enter")  # Memory has no drill-down: enter zooms it
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#memory")


@run_async
async def test_a_refresh_timer_firing_after_shutdown_does_nothing() -> None:
    app = app_for(GenConfig(samples=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert not app.screen_stack
    app.on_snapshot_ready(SnapshotReady(app.snapshot))  # a late one: must not raise
