"""Running accumulators the report parts keep: the part protocol, time-weighted means, slopes.

Constant memory in the length of the session: parts keep running sums, not series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from perftui.model.model import Model


class SummaryPart(Protocol):
    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        """After a new sample at ``model.process.last_ts``; ``dt`` since the previous one
        observed (0 for the first); ``in_window`` False for samples before the window."""

    def result(self, model: Model) -> dict[str, Any]:
        """Report keys this part contributes."""
        ...


@runtime_checkable
class WindowStart(Protocol):
    def window_opens(self, model: Model) -> None:
        """The model holds every frame up to the window's start (the first frame past it
        comes next): a part whose counters come on their own streams takes its base here,
        not at the procfs sample before the start (whose stream's frame of the same tick
        may come after it)."""


@dataclass
class Weighted:
    """Time-weighted mean and the max of a value sampled at irregular intervals."""

    total: float = 0.0
    weight: float = 0.0
    peak: float | None = None
    _firm: bool = False  # a value that may be the peak was seen
    _noisy: bool = False  # the peak so far is only a noisy one

    def add(self, value: float | None, dt: float, peak: bool = True) -> None:
        """``peak``: False for a value too noisy to be the maximum unless there is no other
        (see CpuPart)."""
        if value is None:
            return
        if peak:
            self._firm = True
            self.peak = value if self.peak is None or self._noisy else max(self.peak, value)
            self._noisy = False
        elif not self._firm:
            self._noisy = True
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
