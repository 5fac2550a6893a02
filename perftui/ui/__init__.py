"""(7) The only package that imports Textual: the app, its screens and widgets.

Screens read views (Snapshots, perftui.views) and post messages; none touches the model.
"""

from __future__ import annotations

from perftui.session.recorder import SessionRecorder
from perftui.sources.base import FrameSource, Transport
from perftui.ui.app import PerftuiApp
from perftui.ui.replay import ReplayApp
from perftui.ui.themes import DEFAULT_THEME, load_themes


def create_app(source: FrameSource, *, interval: float | None = None, theme: str | None = None,
               record_to: SessionRecorder | None = None) -> PerftuiApp:
    """The app as the CLI and the tests build it: a replay gets the replay's keys and
    timeline.  Unknown themes fail before any drawing.  ``record_to``: record the session
    from its first frame."""
    theme = theme or DEFAULT_THEME
    themes = load_themes()
    if theme not in themes:
        raise ValueError(f"unknown theme {theme!r}; available: {', '.join(themes)}")
    interval = interval if interval is not None else source.interval
    if isinstance(source, Transport):  # a replay: its controls become keys
        return ReplayApp(source, interval, theme)
    return PerftuiApp(source, interval, theme, record_to)


__all__ = ["PerftuiApp", "ReplayApp", "create_app"]
