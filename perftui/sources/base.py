"""The interface every frame source offers the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Frame = dict[str, Any]

# Called with (stream name, raw msgpack bytes of the frame, decoded frame), from any thread.
FrameSink = Callable[[str, bytes, Frame], None]


class Source(Protocol):
    """Delivers frames to a sink until stopped.  ``start`` must return quickly."""

    @property
    def description(self) -> str:
        """One line for the header: what is being watched and how."""
        ...

    @property
    def interval(self) -> float: ...

    @property
    def live(self) -> bool:
        """True for a running target; False for a replay or a canned list."""
        ...

    def start(self, sink: FrameSink) -> None: ...

    def set_interval(self, seconds: float) -> None: ...

    def stop(self) -> None: ...
