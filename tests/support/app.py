"""The app under Pilot: run an async test, read the screen as plain text, build an app on
canned frames."""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Callable, Coroutine
from typing import Any

from rich.console import Console

from perftui.sources.canned import CannedSource
from perftui.ui import create_app
from perftui.ui.app import PerftuiApp
from tests.support.framegen import GenConfig, frames

WIDE = (160, 48)


def run_async(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test on its own event loop (no pytest async plugin needed)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))
    return wrapper


def screen_lines(app: PerftuiApp) -> list[str]:
    """The screen as plain text lines, as a user would read it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, color_system="truecolor")
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()


def text_of(app: PerftuiApp, widget_id: str) -> str:
    """The on-screen text inside one widget's region (a pane, the header)."""
    region = app.query_one(f"#{widget_id}").region if widget_id != "header" else \
        app.query_one("HeaderBar").region
    lines = screen_lines(app)[region.y: region.bottom]
    return "\n".join(line[region.x: region.right] for line in lines)


def app_for(cfg: GenConfig, **kw: object) -> PerftuiApp:
    return create_app(CannedSource(frames(cfg)), interval=cfg.interval, **kw)  # type: ignore[arg-type]
