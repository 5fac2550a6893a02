"""Start a source before the UI exists, and hand what it collected to the UI when it attaches.

Importing and starting Textual takes about as long as a probe takes to start and send its
first sample; doing both at once halves the time to the first full frame on screen.
"""

from __future__ import annotations

import threading

from perftui.frames import Frame, FrameSink
from perftui.sources.base import Source
from perftui.sources.probeproc import ProbeSpec


class EarlyStartSource:
    """Wraps a source: ``start`` now buffers; the later ``start(sink)`` replays and forwards."""

    def __init__(self, inner: Source) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._buffer: list[tuple[str, bytes, Frame]] = []
        self._sink: FrameSink | None = None
        inner.start(self._receive)

    def _receive(self, stream: str, raw: bytes, frame: Frame) -> None:
        with self._lock:
            if self._sink is None:
                self._buffer.append((stream, raw, frame))
                return
            sink = self._sink
        sink(stream, raw, frame)

    @property
    def description(self) -> str:
        return self._inner.description

    @property
    def interval(self) -> float:
        return self._inner.interval

    @property
    def live(self) -> bool:
        return self._inner.live

    def start(self, sink: FrameSink) -> None:
        # Replay under the lock so a frame arriving meanwhile cannot overtake the buffer.
        with self._lock:
            for item in self._buffer:
                sink(*item)
            self._buffer.clear()
            self._sink = sink

    def set_interval(self, seconds: float) -> None:
        self._inner.set_interval(seconds)

    def command(self, probe: str, line: str) -> str | None:
        return self._inner.command(probe, line)

    def add_probe(self, spec: ProbeSpec) -> str | None:
        return self._inner.add_probe(spec)

    def stop(self) -> None:
        self._inner.stop()
