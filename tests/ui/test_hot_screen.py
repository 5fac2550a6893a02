"""The hot-functions drill-down (``f``) on synthetic pyspy chunks with a known profile."""

from __future__ import annotations

import re
from typing import Any

from perftui.ui import create_app
from perftui.ui.app import PerftuiApp
from perftui.ui.screens.hot import HotScreen
from perftui.ui.widgets.flame import FlameView
from perftui.views.hot import NO_PROBE
from tests.support.app import run_async, screen_lines
from tests.support.framegen import Frame, PushSource, frames
from tests.support.hot import CFG, MAIN, WORKER, A, B, PyFrames, opened, profile, table_rows, text


def pct(row: str) -> float:
    return float(re.findall(r"([\d.]+)%", row)[0])


def sel(flame: FlameView) -> tuple[str, ...]:
    return flame.selected  # a call: mypy must not narrow the attribute across key presses


def zoom(flame: FlameView) -> tuple[str, ...]:
    return flame.zoom


@run_async
async def test_top_row_is_hot_a_with_three_quarters_self() -> None:
    app = create_app(PushSource(profile()), interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(app, pilot)
        rows = table_rows(app)
        assert rows[0].startswith("hot_a") and "hot.py:10" in rows[0]
        assert pct(rows[0]) == 75.0 and rows[0].split()[-1] == "450"
        assert rows[1].startswith("hot_b") and pct(rows[1]) == 25.0
        screen = text(app)
        assert "py-spy at 100 Hz" in screen and "600 samples in last 10 s" in screen
        assert "lost 30 of 600 asked" in screen and "errors 3" in screen
        await pilot.press("escape")  # not zoomed, no search: back to the panes
        await pilot.pause()
        assert not isinstance(app.screen, HotScreen)


@run_async
async def test_sort_keys_reorder_and_search_filters() -> None:
    app = create_app(PushSource(profile()), interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(app, pilot)
        await pilot.press("T")  # total: work (100%) above hot_a
        assert table_rows(app)[0].startswith("work")
        assert "TOTAL%▼" in text(app)
        await pilot.press("n")  # by name: hot_a, hot_b, work
        assert [r.split()[0] for r in table_rows(app)] == ["hot_a", "hot_b", "work"]
        await pilot.press("s")
        assert table_rows(app)[0].startswith("hot_a")
        await pilot.press("slash", *"hot_b")
        await pilot.pause()
        assert [r.split()[0] for r in table_rows(app)] == ["hot_b"]
        await pilot.press("escape")  # clears the search, the screen stays
        await pilot.pause()
        assert isinstance(app.screen, HotScreen) and len(table_rows(app)) == 3


@run_async
async def test_thread_and_window_filters() -> None:
    py = PyFrames()
    initial = [*frames(CFG), py.hello(),
               py.chunk(0, [("old (o.py:1)", MAIN, 100)]),  # 30 s before the newest chunk
               py.chunk(15, [(A, WORKER, 30), ("main (m.py:1)", MAIN, 10)])]
    app = create_app(PushSource(initial), interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(app, pilot)
        names = [r.split()[0] for r in table_rows(app)]
        assert "old" not in names and {"hot_a", "main"} <= set(names)  # last 10 s
        await pilot.press("w")  # last 60 s: the old chunk is in
        assert "old" in [r.split()[0] for r in table_rows(app)]
        assert "last 60 s" in text(app)
        await pilot.press("w", "w")  # session, then back to 10 s
        assert "old" not in [r.split()[0] for r in table_rows(app)]
        await pilot.press("t")  # busiest thread first: the worker
        await pilot.pause()
        assert "hot-worker (4243)" in text(app)
        assert {r.split()[0] for r in table_rows(app)} == {"work", "hot_a"}
        assert "30 samples in last 10 s" in text(app)
        await pilot.press("t")
        assert {r.split()[0] for r in table_rows(app)} == {"main"}
        await pilot.press("t")
        assert "all threads" in text(app)


@run_async
async def test_flame_navigation_zoom_and_reset() -> None:
    app = create_app(PushSource(profile()), interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(app, pilot)
        flame = screen.query_one(FlameView)
        assert app.focused is flame
        await pilot.press("down", "down")  # all -> work -> hot_a (the widest child)
        assert sel(flame) == ("work (hot.py:30)", "hot_a (hot.py:10)")
        assert "hot_a (hot.py:10)  75.0% of samples" in text(app)
        await pilot.press("right")
        assert sel(flame)[-1] == "hot_b (hot.py:20)"
        await pilot.press("enter")
        assert zoom(flame) == sel(flame)
        # Zoomed: hot_b fills the flame's first row.
        row = screen_lines(app)[flame.region.y]
        assert row.lstrip().startswith("hot_b") and "hot_a" not in row
        await pilot.press("backspace")
        assert zoom(flame) == ("work (hot.py:30)",)
        await pilot.press("0")
        assert zoom(flame) == () and sel(flame) == ()
        await pilot.press("down", "enter", "escape")  # escape zooms out before it closes
        assert zoom(flame) == () and isinstance(app.screen, HotScreen)


@run_async
async def test_live_refresh_and_no_sampler_reason() -> None:
    source = PushSource(frames(CFG))
    app = create_app(source, interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(app, pilot)
        assert NO_PROBE in text(app)
        source.push("perftui", {"k": "probe", "ts": CFG.t0, "seq": 50, "name": "pyspy",
                                "state": "failed", "msg": "not a Python process"})
        await pilot.pause(1.2)
        assert "py-spy: not a Python process" in text(app)
        py = PyFrames()
        for stream, frame in (py.hello(), py.chunk(0, [(B, WORKER, 20)])):
            source.push(stream, frame)
        await pilot.pause(1.2)  # the screen's own refresh picks the chunk up
        assert table_rows(app)[0].startswith("hot_b")


def test_help_lists_every_key_of_the_screen() -> None:
    from perftui.ui.screens.help import HOT_KEYS

    listed = {k.strip() for keys, _ in HOT_KEYS for k in keys.split(",")}
    names = {"slash": "/", "up": "arrows", "down": "arrows", "left": "arrows",
             "right": "arrows", "alt+q": "q"}
    for binding in [*HotScreen.BINDINGS, *FlameView.BINDINGS]:
        for key in binding.key.split(","):  # type: ignore[union-attr]
            shown = names.get(key, key)
            assert shown in listed or shown == "q", key


class CommandSource(PushSource):
    """A PushSource that takes probe commands and new probes, as a live source does."""

    def __init__(self, initial: list[tuple[str, Frame]]) -> None:
        super().__init__(initial)
        self.commands: list[tuple[str, str]] = []
        self.added: list[str] = []

    def command(self, probe: str, line: str) -> str | None:
        self.commands.append((probe, line))
        return None

    def add_probe(self, spec: Any) -> str | None:
        self.added.append(spec.name)
        return None


def options_frame(seq: int, **on: bool) -> tuple[str, Frame]:
    """What the probe says once a chunk runs with the options ``on``."""
    fields = {name: on.get(name, False) for name in ("idle", "gil", "native", "subprocesses")}
    return "pyspy", {"k": "options", "ts": CFG.t0 + 7, "seq": seq, "t0": CFG.t0 + 7,
                     "options": [f"--{n}" for n, v in fields.items() if v], **fields}


def options_text(app: PerftuiApp) -> str:
    return str(app.screen.query_one("#hot-options").render())


@run_async
async def test_option_keys_ask_the_probe_and_show_what_is_in_force() -> None:
    source = CommandSource(profile())
    app = create_app(source, interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(app, pilot)
        assert options_text(app) == "py-spy options (i G N P): none"
        # open: short py-spy chunks while someone looks (perftui.probes.pyspy.sampler)
        assert source.commands == [("pyspy", "fresh on")]
        await pilot.press("i")
        assert source.commands == [("pyspy", "fresh on"), ("pyspy", "option idle on")]
        assert options_text(app) == "asked py-spy for idle threads on"
        source.push(*options_frame(10, idle=True))
        screen.refresh_view(force=True)
        assert options_text(app) == "py-spy options (i G N P): idle threads"
        await pilot.press("N")  # native: the line warns of its cost, in force or asked
        assert source.commands[-1] == ("pyspy", "option native on")
        assert "py-spy pauses the target at each sample" in options_text(app)
        source.push(*options_frame(11, idle=True, native=True))
        screen.refresh_view(force=True)
        line = options_text(app)
        assert line.startswith("py-spy options (i G N P): idle threads, native frames")
        assert "native: py-spy pauses the target at each sample" in line
        assert "py-spy pauses the target" in text(app)
        await pilot.press("i", "G", "P")
        assert source.commands[-3:] == [("pyspy", "option idle off"), ("pyspy", "option gil on"),
                                        ("pyspy", "option subprocesses on")]
        source.push(*options_frame(12, gil=True, native=True, subprocesses=True))
        screen.refresh_view(force=True)
        assert options_text(app).startswith(
            "py-spy options (i G N P): GIL holder only, native frames, subprocesses")
        await pilot.press("f")  # closed: py-spy's chunks may grow again
        await pilot.pause()
        assert source.commands[-1] == ("pyspy", "fresh off")


@run_async
async def test_option_keys_without_pyspy_or_in_a_replay() -> None:
    from perftui.sources.canned import CannedSource

    class Live(CommandSource):
        @property
        def live(self) -> bool:
            return True

    source = Live(frames(CFG))  # procfs only: no pyspy probe
    app = create_app(source, interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(app, pilot)
        await pilot.press("G")
        assert source.commands == [("pyspy", "fresh on")]  # opening asks; G does not
        assert options_text(app) == (
            "GIL holder only: py-spy does not run for this target (not Python?)")
        source.push("perftui", {"k": "probe", "ts": CFG.t0, "seq": 50, "name": "pyspy",
                                "state": "failed", "msg": "not a Python process"})
        await pilot.press("G")
        assert options_text(app) == (
            "GIL holder only: py-spy does not run (failed: not a Python process)")
    app = create_app(CannedSource(profile()), interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(app, pilot)
        await pilot.press("i")
        assert options_text(app) == "this is a replay: the probes' options cannot be changed"
        await pilot.press("m")
        assert options_text(app) == "this is a replay: no probe can be started"


@run_async
async def test_m_starts_the_native_sampler_and_says_so_until_samples_come() -> None:
    source = CommandSource(profile())
    app = create_app(source, interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(app, pilot)
        await pilot.press("m")
        assert source.added == ["stacks"]
        assert "native sampler starting (compiling)" in text(app)
        source.push("perftui", {"k": "probe", "ts": CFG.t0, "seq": 60, "name": "stacks",
                                "state": "starting", "msg": ""})
        hello = {"k": "hello", "ts": CFG.t0 + 1, "seq": 0, "schema": 1, "probe": "stacks",
                 "version": "0.1.0", "pid": CFG.pid, "rate": 99, "interval": 1.0,
                 "caps": {"stacks": {"ok": True}}}
        source.push("stacks", hello)
        screen.refresh_view(force=True)
        assert "native sampler starting (compiling)" in text(app)  # no samples yet
        source.push("stacks", {"k": "chunk", "ts": CFG.t0 + 6, "seq": 1, "t0": CFG.t0 + 5,
                               "t1": CFG.t0 + 6, "rate": 99, "samples": [[0, MAIN, 40]],
                               "stacks": {0: [0, 1]}, "strs": {0: "_start (python3)",
                                                               1: "spin (libc.so.6)"}})
        screen.refresh_view(force=True)
        assert "eBPF cpu-clock at 99 Hz  40 samples" in text(app)
        assert table_rows(app)[0].startswith("spin")
        await pilot.press("m")  # back to Python stacks; the sampler is not started again
        assert table_rows(app)[0].startswith("hot_a") and source.added == ["stacks"]
        await pilot.press("m")
        assert table_rows(app)[0].startswith("spin")
