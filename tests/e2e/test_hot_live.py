"""The hot-functions keys in the app on real targets, through LiveSource and the real probes:
py-spy's options switched with i and G, and the native sampler started by m."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from perftui.host.probeselect import PROCFS, native_stacks_possible, pyspy_spec
from perftui.model.model import Model
from perftui.sources.live import LiveSource
from perftui.ui import create_app
from perftui.ui.app import PerftuiApp
from perftui.ui.screens.hot import HotScreen
from perftui.ui.widgets.topfuncs import TopFunctions
from tests.support.app import run_async, screen_lines
from tests.support.paths import TARGETS
from tests.support.skips import needs_bpf, needs_pyspy


@pytest.fixture
def gil_threads() -> Iterator[subprocess.Popen[str]]:
    yield from _run(TARGETS / "gil_threads.py")


@pytest.fixture
def hot_python() -> Iterator[subprocess.Popen[str]]:
    yield from _run(TARGETS / "hot_python.py")


def _run(path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()


async def until(app: PerftuiApp, pilot: Any, ok: Callable[[Model], bool],
                timeout: float = 30.0) -> None:
    """Wait (letting the app run) until ``ok(model)`` holds, asked on the feed's thread."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if app.feed.read(ok):
            return
        if loop.time() > deadline:
            raise AssertionError("\n".join(screen_lines(app)))
        await pilot.pause(0.3)


async def settle(app: PerftuiApp, pilot: Any, source: LiveSource) -> None:
    """Stop the probes before the app exits: a redraw the app has scheduled for frames that
    arrive while it shuts down can run after its screens are gone (an app bug, not this
    view's)."""
    source.stop()
    await pilot.pause(0.3)


def newest_threads(model: Model) -> set[str]:
    """Thread names in the newest pyspy chunk that began after the options last changed."""
    stacks = model.pystacks
    since = stacks.options_t0 or 0.0
    pieces = [s for s in stacks.slices if s.t0 >= since and s.t1 - s.t0 > 1.5]
    if not pieces:
        return set()
    return {stacks.thread_name(tid) for _, tid, _ in pieces[-1].triples()}


def switched(name: str, on: bool) -> Callable[[Model], bool]:
    """The option is in force and a whole chunk ran with it."""
    return lambda m: m.pystacks.options.get(name) is on and bool(newest_threads(m))


@needs_pyspy
@run_async
async def test_i_and_g_switch_py_spy_options_on_a_real_target(
        gil_threads: subprocess.Popen[str]) -> None:
    source = LiveSource(gil_threads.pid, 1.0, probes=[PROCFS, pyspy_spec()])
    app = create_app(source, interval=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(app, pilot, lambda m: bool(m.pystacks.slices))
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, HotScreen)
        before = app.feed.read(newest_threads)
        assert "spinner" in before and "MainThread" not in before, before
        await pilot.press("i")
        await until(app, pilot, switched("idle", True))
        idle = app.feed.read(newest_threads)
        assert {"MainThread", "spinner", "hasher"} <= idle, idle
        assert "py-spy options (i G N P): idle threads" in "\n".join(screen_lines(app))
        await pilot.press("i")  # off again: the sleeping main thread stops appearing
        await until(app, pilot, switched("idle", False))
        assert "MainThread" not in app.feed.read(newest_threads)
        await pilot.press("G")  # the hasher runs without the GIL: it drops out
        await until(app, pilot, switched("gil", True))

        def per_thread(model: Model) -> dict[str, int]:
            stacks = model.pystacks
            piece = [s for s in stacks.slices if s.t0 >= (stacks.options_t0 or 0)][-1]
            per: dict[str, int] = {}
            for _, tid, n in piece.triples():
                per[stacks.thread_name(tid)] = per.get(stacks.thread_name(tid), 0) + n
            return per

        per = app.feed.read(per_thread)
        assert per.get("spinner", 0) > 20 and per.get("hasher", 0) <= per["spinner"] // 20, per
        assert "GIL holder only" in "\n".join(screen_lines(app))
        await settle(app, pilot, source)


@needs_pyspy
@needs_bpf
@pytest.mark.root
@run_async
async def test_m_starts_native_stacks_for_a_python_target(
        hot_python: subprocess.Popen[str]) -> None:
    assert native_stacks_possible()
    source = LiveSource(hot_python.pid, 1.0, probes=[PROCFS, pyspy_spec()])
    app = create_app(source, interval=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(app, pilot, lambda m: bool(m.pystacks.slices))
        await pilot.press("f")
        await pilot.pause()
        assert "stacks" not in app.feed.read(lambda m: set(m.probes))  # not until asked
        await pilot.press("m")
        screen = "\n".join(screen_lines(app))
        assert "native sampler starting (compiling)" in screen, screen
        # The compile takes 0.3 s idle, up to ~7 s on a busy machine.
        await until(app, pilot, lambda m: m.nativestacks.session_stats[0] > 0, timeout=60)
        await pilot.pause(1.2)  # the screen's own refresh
        screen = "\n".join(screen_lines(app))
        assert "eBPF cpu-clock at 99 Hz" in screen, screen
        assert "native sampler starting" not in screen, screen
        # The interpreter's own C functions (the loop is Python code: all of it runs there).
        rows = app.screen.query_one(TopFunctions).rows_text
        assert rows and "python" in rows[0], screen
        await pilot.press("m")  # back to Python stacks
        await pilot.pause()
        screen = "\n".join(screen_lines(app))
        assert "py-spy at 100 Hz" in screen, screen
        await settle(app, pilot, source)
