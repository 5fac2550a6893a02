"""``g`` in a replay: a one-line prompt for where to go, and the parser of what is typed.

Accepted: an offset from the start as seconds or a duration (``90``, ``1.5m``, ``2h``),
``mm:ss`` or ``h:mm:ss``; a negative offset back from the end (``-30``); a wall-clock time
(``@14:03`` or ``@14:03:10``, or ``14:03:10`` when no offset that long exists); an epoch
timestamp.  A mistake is a sentence under the prompt, never an exception out of the app.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from perftui.report.load import EPOCH_FLOOR
from perftui.ui.widgets.timeline import fmt_offset
from perftui.units import parse_time

_COLONS = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}))?(\.\d*)?$")
HINT = "from the start 90 · 5m · 12:30 · 1:02:03, from the end -30, clock @14:03"


def _clock(text: str, start_ts: float, length_s: float) -> float | None:
    """The offset of wall-clock time ``text`` (h:mm[:ss]) on a day the recording spans."""
    m = _COLONS.match(text)
    if m is None:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    first = datetime.fromtimestamp(start_ts)
    day = first.replace(hour=0, minute=0, second=0, microsecond=0)
    while day.timestamp() <= start_ts + length_s:
        ts = day.replace(hour=h, minute=mi, second=s).timestamp()
        if start_ts - 1 <= ts <= start_ts + length_s + 1:
            return max(0.0, ts - start_ts)
        day += timedelta(days=1)
    return None


def parse_goto(text: str, start_ts: float, length_s: float) -> float:
    """The offset (seconds from the start, within the recording) ``text`` asks for."""
    text = text.strip()
    if not text:
        raise ValueError("type a time: " + HINT)
    if text.startswith("@"):
        offset = _clock(text[1:].strip(), start_ts, length_s)
        if offset is None:
            raise ValueError(f"{text[1:].strip()!r} is not a clock time within the recording "
                             f"({_span(start_ts, length_s)})")
        return offset
    m = _COLONS.match(text)
    if m is not None:
        a, b, c = int(m.group(1)), int(m.group(2)), m.group(3)
        offset = (a * 3600 + b * 60 + int(c) if c is not None else a * 60 + b) \
            + float(m.group(4) or 0)
        if offset <= length_s:
            return offset
        clock = _clock(text, start_ts, length_s)
        if clock is not None:
            return clock
        raise ValueError(f"{text} is past the end ({fmt_offset(length_s)}) and not a clock "
                         f"time within the recording ({_span(start_ts, length_s)})")
    try:
        value = parse_time(text)
    except ValueError:
        raise ValueError(f"not a time: {text!r}") from None
    if value >= EPOCH_FLOOR:
        value -= start_ts
    elif value < 0:
        value += length_s
    if not 0 <= value <= length_s:
        raise ValueError(f"{text} is outside the recording (00:00:00 to "
                         f"{fmt_offset(length_s)})")
    return value


def _span(start_ts: float, length_s: float) -> str:
    fmt = "%H:%M:%S"
    a, b = datetime.fromtimestamp(start_ts), datetime.fromtimestamp(start_ts + length_s)
    return f"{a.strftime(fmt)} to {b.strftime(fmt)}"


class GotoScreen(ModalScreen[float | None]):
    """Dismissed with the offset to go to, or None (escape)."""

    DEFAULT_CSS = """
    GotoScreen {
        align: center middle;
        background: $background 60%;
        #goto {
            width: 100%;
            max-width: 72;
            margin: 0 1;
            height: auto;
            border: round $accent;
            border-title-color: $accent;
            background: $surface;
            padding: 0 1;
        }
        #goto-hint { color: $text-muted; }
        #goto-error { color: $error; text-style: bold; }
    }
    """
    BINDINGS = [Binding("escape", "close", "Cancel")]

    def __init__(self, start_ts: float, length_s: float, offset_s: float) -> None:
        super().__init__()
        self._start = start_ts
        self._length = length_s
        self._offset = offset_s

    def compose(self) -> ComposeResult:
        box = Vertical(id="goto")
        box.border_title = "go to"
        box.border_subtitle = "enter to go · escape to cancel"
        with box:
            yield Static(Content(HINT), id="goto-hint")
            yield Input(placeholder=fmt_offset(self._offset), id="goto-input")
            yield Static("", id="goto-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            offset = parse_goto(event.value, self._start, self._length)
        except ValueError as exc:
            self.query_one("#goto-error", Static).update(Content(str(exc)))
            return
        self.dismiss(offset)

    def action_close(self) -> None:
        self.dismiss(None)
