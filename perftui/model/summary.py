"""Summaries of a whole session (or a window of it), read from the model as frames go in.

``perftui report`` and ``perftui diff`` are built on this and only this: frames are applied to
a Model, and after each procfs sample every *part* reads what it needs from the model (rates,
counters, tables), so a fix in a derivation fixes reports of old recordings too.  Memory is
constant in the length of the session: parts keep running sums, not series.

Parts are the hook for other probes: a probe's model module registers a factory with
``register_part`` and its part adds its keys (``syscalls``, ``files``, ``functions``) to the
report.  Keys a session has no data for are absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from perftui.model.model import Model

Frame = dict[str, Any]


class SummaryPart(Protocol):
    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        """After a new sample at ``model.process.last_ts``; ``dt`` since the previous one
        observed (0 for the first); ``in_window`` False for samples before the window."""

    def result(self, model: Model) -> dict[str, Any]:
        """Report keys this part contributes."""
        ...


@dataclass
class Weighted:
    """Time-weighted mean and the max of a value sampled at irregular intervals."""

    total: float = 0.0
    weight: float = 0.0
    peak: float | None = None

    def add(self, value: float | None, dt: float) -> None:
        if value is None:
            return
        self.peak = value if self.peak is None else max(self.peak, value)
        if dt > 0:
            self.total += value * dt
            self.weight += dt

    @property
    def mean(self) -> float | None:
        return self.total / self.weight if self.weight > 0 else self.peak


@dataclass
class Slope:
    """Least-squares slope of (t, v) points, in constant memory."""

    n: int = 0
    t0: float | None = None
    st: float = 0.0
    sv: float = 0.0
    stt: float = 0.0
    stv: float = 0.0

    def add(self, t: float, v: float) -> None:
        if self.t0 is None:
            self.t0 = t
        t -= self.t0  # small numbers: epoch seconds squared lose precision
        self.n += 1
        self.st += t
        self.sv += v
        self.stt += t * t
        self.stv += t * v

    @property
    def value(self) -> float | None:
        if self.n < 2:
            return None
        var = self.stt - self.st * self.st / self.n
        if var <= 0:
            return None
        return (self.stv - self.st * self.sv / self.n) / var


_PARTS: list[Callable[[], SummaryPart]] = []


def register_part(factory: Callable[[], SummaryPart]) -> None:
    if factory not in _PARTS:
        _PARTS.append(factory)


def part_factories() -> list[Callable[[], SummaryPart]]:
    from perftui.model import summary_parts  # the built-in parts register on import

    summary_parts.register()
    return list(_PARTS)


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
