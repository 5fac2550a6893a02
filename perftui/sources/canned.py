"""A source that delivers a fixed list of frames at once: for tests, snapshots and demos."""

from __future__ import annotations

from collections.abc import Iterable

import msgpack

from perftui.sources.base import NOT_LIVE, Frame, FrameSink
from perftui.sources.probeproc import ProbeSpec


class CannedSource:
    def __init__(self, frames: Iterable[tuple[str, Frame]], interval: float = 1.0,
                 description: str = "canned frames") -> None:
        self._frames = list(frames)
        self._interval = interval
        self._description = description

    @property
    def description(self) -> str:
        return self._description

    @property
    def interval(self) -> float:
        return self._interval

    @property
    def live(self) -> bool:
        return False

    def start(self, sink: FrameSink) -> None:
        for stream, frame in self._frames:
            sink(stream, msgpack.packb(frame, use_bin_type=True), frame)

    def set_interval(self, seconds: float) -> None:
        self._interval = seconds

    def command(self, probe: str, line: str) -> str | None:
        return NOT_LIVE + "the probes' options cannot be changed"

    def add_probe(self, spec: ProbeSpec) -> str | None:
        return NOT_LIVE + "no probe can be started"

    def stop(self) -> None:
        pass
