"""A source that delivers a fixed list of frames at once: for tests, snapshots and demos."""

from __future__ import annotations

from collections.abc import Iterable

import msgpack

from perftui.frames import Frame, FrameSink


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

    def stop(self) -> None:
        pass
