"""A session replayed through the existing app: the same create_app, the same panes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from perftui.session import new_header
from perftui.session.writer import write_frames
from perftui.sources.replay import MAX, ReplaySource
from perftui.ui import create_app
from perftui.views.snapshot import build_snapshot
from tests.support.framegen import GenConfig, frames


def test_replay_runs_in_the_app_to_the_recorded_end(tmp_path: Path) -> None:
    cfg = GenConfig(samples=120)
    path = str(tmp_path / "s.perftui")
    write_frames(path, new_header(cfg.pid), frames(cfg))
    source = ReplaySource(path, speed=MAX)
    app = create_app(source, interval=source.interval)

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(200):
                await pilot.pause(0.05)
                if source.position.at_end and app.snapshot is not None \
                        and app.snapshot.frames == len(frames(cfg)):
                    break
            assert source.position.at_end
            assert app.feed.wait_idle()
            assert app.feed.read(build_snapshot).header.pid == cfg.pid
            assert app.feed.read(lambda m: m.process.samples) == cfg.samples

    asyncio.run(run())
    assert app.snapshot is not None and app.snapshot.cpu.percent == cfg.cpu_total
