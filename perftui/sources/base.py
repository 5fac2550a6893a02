"""The interface every frame source offers the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from perftui.sources.probeproc import ProbeSpec

Frame = dict[str, Any]

# Called with (stream name, raw msgpack bytes of the frame, decoded frame), from any thread.
FrameSink = Callable[[str, bytes, Frame], None]

NOT_LIVE = "this is a replay: "  # how a source that plays back frames starts its refusals


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

    def command(self, probe: str, line: str) -> str | None:
        """Send a command line to the probe named ``probe`` (e.g. ``option idle on``).  None
        when it is on its way, else one sentence saying why it cannot be."""
        ...

    def add_probe(self, spec: ProbeSpec) -> str | None:
        """Start one more probe on the target (returns at once); None, or why it cannot be."""
        ...

    def stop(self) -> None: ...
