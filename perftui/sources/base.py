"""(1) Frames in: what the app needs of a source, in three narrow interfaces.

Every source is a FrameSource.  A live one is also a ProbeControl (its probes take an
interval, commands, one more probe); a replay is also a Transport (play, pause, seek).  The
app asks which a source is, rather than a replay refusing probe commands it cannot carry out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from perftui.frames import FrameSink
from perftui.sources.probeproc import ProbeSpec

if TYPE_CHECKING:
    from perftui.model import Model

NOT_LIVE = "this is a replay: "  # how the UI starts a refusal of a probe control


@runtime_checkable
class FrameSource(Protocol):
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

    def stop(self) -> None: ...


@runtime_checkable
class ProbeControl(Protocol):
    """The probes of a live source, steered while they run."""

    def set_interval(self, seconds: float) -> None: ...

    def command(self, probe: str, line: str) -> str | None:
        """Send a command line to the probe named ``probe`` (e.g. ``option idle on``).  None
        when it is on its way, else one sentence saying why it cannot be."""
        ...

    def add_probe(self, spec: ProbeSpec) -> str | None:
        """Start one more probe on the target (returns at once); None, or why it cannot be."""
        ...


class Source(FrameSource, ProbeControl, Protocol):
    """A live source: frames and probe control (LiveSource, EarlyStartSource)."""


@dataclass(frozen=True)
class ReplayPosition:
    offset_s: float  # of the newest frame delivered, from the start (0 before any)
    length_s: float
    start_ts: float
    ts: float | None  # timestamp of the newest frame delivered
    frame: int  # frames delivered
    frames: int  # frames in the file
    playing: bool
    speed: float  # MAX (math.inf) for "as fast as possible"
    at_end: bool
    gaps: tuple[tuple[float, float], ...]  # (start, end) offsets with no frames


@runtime_checkable
class Transport(Protocol):
    """A replay's controls: they return at once, the player's thread carries them out."""

    path: str
    on_reset: Callable[[Model], None] | None  # a seek hands over the model rebuilt up to there

    @property
    def position(self) -> ReplayPosition: ...

    @property
    def warnings(self) -> list[str]: ...

    def toggle(self) -> None: ...

    def step(self, direction: int) -> None: ...

    def jump(self, seconds: float) -> None: ...

    def home(self) -> None: ...

    def end(self) -> None: ...

    def faster(self) -> None: ...

    def slower(self) -> None: ...

    def seek_offset(self, offset: float) -> None: ...


class Replay(FrameSource, Transport, Protocol):
    """A source played back from a file: frames, and the controls to move through them."""
