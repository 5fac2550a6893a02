"""A replay in the app: wait until it has drawn where the source got to; a hole in a recording."""

from __future__ import annotations

import asyncio
from pathlib import Path

from perftui.sources.replay import ReplaySource
from perftui.ui.app import PerftuiApp
from perftui.ui.widgets.timeline import TimelineBar
from tests.support.framegen import Frame, GenConfig

GAP_AT, GAP_S = 30, 120.0  # samples from GAP_AT on come GAP_S later: a hole in the recording


def with_gap(items: list[tuple[str, Frame]], cfg: GenConfig) -> list[tuple[str, Frame]]:
    cut = cfg.t0 + GAP_AT * cfg.interval
    return [(s, {**f, "ts": f["ts"] + GAP_S} if f["ts"] >= cut else f) for s, f in items]


async def settle(app: PerftuiApp, source: ReplaySource) -> None:
    """Until the source has carried out every key and the app has drawn where it got to:
    the panes (its refresh) and the timeline (that refresh or the timeline's timer)."""
    assert source.wait_idle()
    for _ in range(150):
        snap, pos = app.snapshot, source.position
        if snap is not None and snap.frames == pos.frame and \
                app.query_one(TimelineBar).position == pos:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the app never showed {source.position}")


def replay_screen_text(path: Path, wait_s: float = 1.5, size: tuple[int, int] = (160, 48)) -> str:
    """What ``perftui replay FILE`` shows (playing at real speed) once ``wait_s`` passed."""
    from perftui.ui import create_app
    from tests.support.app import screen_lines

    async def run() -> str:
        source = ReplaySource(str(path))
        app = create_app(source)
        async with app.run_test(size=size) as pilot:
            await pilot.pause(wait_s)
            assert source.wait_idle()
            await pilot.pause(0.3)
            return "\n".join(screen_lines(app))

    return asyncio.run(run())
