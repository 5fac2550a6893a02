"""Summaries of a whole session (or a window of it), read from the model as frames go in.

``perftui report`` and ``perftui diff`` are built on this and only this: frames are applied to
a Model, and after each procfs sample every *part* reads what it needs from the model (rates,
counters, tables), so a fix in a derivation fixes reports of old recordings too.  Memory is
constant in the length of the session: parts keep running sums, not series.

The parts are listed in ``part_factories``: a new probe's part is one more entry there.  Keys
a session has no data for are absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from perftui.frames import Frame
from perftui.model.model import Model
from perftui.report.accum import SummaryPart
from perftui.report.parts import CpuPart, FunctionsPart, IoPart, MemoryPart, NetPart, ThreadsPart
from perftui.report.parts_sys import FilesPart, SyscallsPart


def part_factories() -> list[Callable[[], SummaryPart]]:
    """Every report part, in the order their keys appear: an explicit list, no registry."""
    return [CpuPart, MemoryPart, IoPart, NetPart, ThreadsPart, FunctionsPart, SyscallsPart,
            FilesPart]


@dataclass
class Summarizer:
    """Feed it frames (``apply``); ``result`` is the report's dict.  ``start``/``end`` are
    timestamps bounding the window (None: the session's own ends): samples after ``start``
    up to ``end`` count, measured from the last sample at or before ``start``."""

    start: float | None = None
    end: float | None = None
    model: Model = field(default_factory=Model)
    parts: list[SummaryPart] = field(default_factory=list)
    first_ts: float | None = None  # of the first sample in the window
    last_ts: float | None = None
    base_ts: float | None = None  # of the last sample before the window
    samples: int = 0
    _seen: int = 0

    def __post_init__(self) -> None:
        if not self.parts:
            self.parts = [factory() for factory in part_factories()]

    def apply(self, stream: str, frame: Frame) -> bool:
        """Fold one frame in; False once past the window's end (the caller may stop)."""
        ts = frame.get("ts")
        if self.end is not None and isinstance(ts, (int, float)) and ts > self.end:
            return False
        self.model.apply(stream, frame)
        proc = self.model.process
        if proc.samples == self._seen or proc.last_ts is None:
            return True
        self._seen = proc.samples
        ts = proc.last_ts
        inside = self.start is None or ts > self.start  # a sample covers (prev, ts]
        prev = self.last_ts if self.last_ts is not None else self.base_ts
        dt = ts - prev if prev is not None else 0.0
        for part in self.parts:
            part.observe(self.model, dt, inside)
        if inside:
            self.samples += 1
            self.first_ts = ts if self.first_ts is None else self.first_ts
            self.last_ts = ts
        else:
            self.base_ts = ts
        return True

    def apply_all(self, frames: Iterable[tuple[str, Frame]]) -> Summarizer:
        for stream, frame in frames:
            if not self.apply(stream, frame):
                break
        return self

    def result(self) -> dict[str, Any]:
        m = self.model
        meta = m.process.meta
        begin = self.base_ts if self.base_ts is not None else self.first_ts
        duration = (self.last_ts - begin) if self.last_ts is not None and begin else 0.0
        out: dict[str, Any] = {
            "duration_s": duration, "pid": m.pid,
            "command": " ".join(str(a) for a in meta.get("cmdline") or [])
            or str(meta.get("name", "")),
            "host": m.host, "start_ts": begin, "end_ts": self.last_ts, "samples": self.samples}
        for part in self.parts:
            out.update(part.result(m))
        return out
