"""The drill-down's window picked on the CPU history (``R``): a range of the session."""

from __future__ import annotations

from dataclasses import replace

from perftui.ui import create_app
from perftui.ui.screens.hot import HotScreen
from perftui.ui.screens.range_pick import RangeChart, RangePicker, span_of
from tests.support.app import run_async
from tests.support.framegen import PushSource, frames
from tests.support.hot import CFG, WORKER, A, B, PyFrames, opened, table_rows, text

SESSION_CFG = replace(CFG, samples=21)  # CPU samples at t0+1 .. t0+20 (the first has no rate)


def session() -> list[tuple[str, dict[str, object]]]:
    """Chunks 0-2 ([t0, t0+6]): hot_b 75%, hot_a 25%; chunks 3-9 ([t0+6, t0+20]): hot_a 75%."""
    py = PyFrames()
    out = [*frames(SESSION_CFG), py.hello()]
    for i in range(10):
        a, b = (50, 150) if i < 3 else (150, 50)
        out.append(py.chunk(i, [(A, WORKER, a), (B, WORKER, b)]))
    return out


def test_span_starts_where_the_first_samples_interval_starts() -> None:
    points = [(101.0, 5.0), (102.0, 6.0), (103.0, 7.0), (104.0, 8.0)]
    assert span_of(points, 0, 2) == (100.0, 103.0)  # the first: one step before it
    assert span_of(points, 3, 1) == (101.0, 104.0)  # either order; from the previous ts
    assert span_of(points[:1], 0, 0) == (101.0, 101.0)


@run_async
async def test_a_range_on_the_cpu_chart_sets_the_window() -> None:
    app = create_app(PushSource(session()), interval=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(app, pilot)
        assert table_rows(app)[0].startswith("hot_a")  # last 10 s
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, RangePicker)
        chart = app.screen.query_one(RangeChart)
        assert len(chart.values) == 20 and chart.cursor == 19  # at the newest sample
        await pilot.press("escape")  # cancels: nothing changes
        await pilot.pause()
        assert app.screen is screen and screen.range is None
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("home", "space", *["right"] * 5)
        await pilot.pause()
        assert "+0 s..+6 s" in text(app)  # the marked run, before it is confirmed
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and isinstance(screen, HotScreen)
        t0 = SESSION_CFG.t0
        assert screen.range is not None and screen.range[1].t0 == t0
        assert screen.range[1].t1 == t0 + 6
        rows = table_rows(app)
        assert rows[0].startswith("hot_b") and "75.0%" in rows[0]  # only chunks 0-2
        status = text(app)
        assert "600 samples in" in status and "(+0 s..+6 s)" in status
        assert "chosen range" in status
        await pilot.press("w")  # back to the fixed windows
        assert screen.range is None and table_rows(app)[0].startswith("hot_a")
        assert "last 10 s" in text(app)
