"""The replay's timeline: one line above the footer saying where in the recording the view is.

``▶  2x  00:12:31 / 01:00:00 ━━━━━━━●───░░───── playing``: play state and speed, the position
and the length (offsets from the start), a bar with the position marker and the recording's
gaps (``░``: no frames; playback skips them), and, on wide terminals, the wall-clock time.
"""

from __future__ import annotations

import math
import time

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget

from perftui.sources.base import ReplayPosition
from perftui.ui.widgets.pane import Line

Part = tuple[str, str]

PLAYED, MARKER, AHEAD, GAP = "━", "●", "─", "░"
MIN_BAR = 8  # narrower than this, the bar is left out
CLOCK_WIDTH = 100  # from this width the wall-clock time of the position is shown too


def fmt_offset(seconds: float) -> str:
    """``01:02:03``: hours, minutes, seconds from the start of the recording."""
    s = max(0, int(seconds))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def speed_label(speed: float) -> str:
    return "max" if math.isinf(speed) else f"{speed:g}x"


def bar_parts(pos: ReplayPosition, width: int) -> list[Part]:
    """``width`` cells: played, the marker, still ahead; cells touching a gap drawn as gaps."""
    length = pos.length_s
    offset = length if pos.at_end else min(pos.offset_s, length)
    marker = round(offset / length * (width - 1)) if length > 0 else 0
    gap = [False] * width
    for a, b in pos.gaps if length > 0 else ():
        lo = max(0, math.floor(a / length * width))
        hi = min(width, max(lo + 1, math.ceil(b / length * width)))
        gap[lo:hi] = [True] * (hi - lo)
    parts: list[Part] = []
    for cell in range(width):
        if cell == marker:
            part = (MARKER, "bold $accent")
        elif gap[cell]:
            part = (GAP, "$warning")
        else:
            part = (PLAYED, "$accent") if cell < marker else (AHEAD, "$text-muted")
        if parts and parts[-1][1] == part[1] and part[0] != MARKER:
            parts[-1] = (parts[-1][0] + part[0], part[1])
        else:
            parts.append(part)
    return parts


def timeline_line(pos: ReplayPosition, width: int) -> Content:
    """The whole line for a bar ``width`` cells wide (pure: tested directly)."""
    if pos.at_end:
        icon, state = ("■", "$text-muted"), ("at end", "$text-muted")
    elif pos.playing:
        icon, state = ("▶", "bold $success"), ("playing", "$success")
    else:
        icon, state = ("‖", "bold $warning"), ("paused", "bold $warning")
    offset = pos.length_s if pos.at_end else pos.offset_s
    left: list[Part] = [icon, (f" {speed_label(pos.speed):>3}  ", "bold"),
                        (fmt_offset(offset), "bold"),
                        (f" / {fmt_offset(pos.length_s)} ", "$text-muted")]
    right: list[Part] = [(" ", ""), (state[0], state[1])]
    if width >= CLOCK_WIDTH and pos.ts is not None:
        right.append((time.strftime("  %H:%M:%S", time.localtime(pos.ts)), "$text-muted"))
    room = width - sum(len(t) for t, _ in left) - sum(len(t) for t, _ in right)
    middle = bar_parts(pos, room) if room >= MIN_BAR else [(" " * max(0, room), "")]
    return Content.assemble(*left, *middle, *right)


class TimelineBar(Widget):
    DEFAULT_CSS = """
    TimelineBar {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._pos: ReplayPosition | None = None
        self._line = Line()

    def compose(self) -> ComposeResult:
        yield self._line

    @property
    def text(self) -> str:
        return self._line.text

    @property
    def position(self) -> ReplayPosition | None:
        """What the bar shows."""
        return self._pos

    def show_position(self, pos: ReplayPosition) -> None:
        if pos != self._pos:
            self._pos = pos
            self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self._pos is not None:
            self._line.show(timeline_line(self._pos, self.content_size.width))
