"""Report part ``findings``: every kind judged over the report's window, from the counters at
its start and at its end (perftui.findings), like every other part, from the raw frames.

Nothing flashes in a report either: live, a finding shows once it held for a while; here, a
finding of the whole window counts only if it is also found in each half of it (a burst
at the target's start, an interpreter probing a thousand paths for its modules, is not a
habit).  Kinds that judge a series' steadiness themselves (``WHOLE_WINDOW``) are exempt.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from perftui.findings import Facts, Finding, Span, evaluate
from perftui.findings.catalog import KINDS, WHOLE_WINDOW
from perftui.model.model import Model

MIN_WINDOW_S = 1.5  # shorter, a rate is a handful of events (two 1 s samples: judged)
MAX_KEPT = 32  # Facts kept through the window (thinned), to find its middle


@dataclass
class FindingsPart:
    """Counters are read at the samples (``Facts`` stamped with the sample's time) and, for
    the end, after every frame of the window (the probes' last frames come after the last
    sample), stamped with the window's end: the target's exit, or its last sample; so rates
    are over the span the report covers, not over a held command's wait or the stack chunks
    read after the window."""

    base: Facts | None = None
    inside: bool = False
    end: float | None = None  # the window's end (None: the session's), set by the Summarizer
    kept: list[Facts] = field(default_factory=list)
    last_ts: float | None = None  # the last sample in the window
    _step: int = 1  # keep every _step-th sample (doubles when the list fills)
    _n: int = 0

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        ts = model.process.last_ts
        if not in_window:
            self.base = Facts.of(model, ts)
            return
        self.last_ts = ts
        if not self.inside:
            self.inside = True
            if self.base is None:  # the window starts with the session: its first sample
                self.base = Facts.of(model, ts)
                return
        self._n += 1
        if self._n % self._step == 0:
            self.kept.append(Facts.of(model, ts))
            if len(self.kept) >= MAX_KEPT:
                self.kept = self.kept[1::2]
                self._step *= 2

    def window_opens(self, model: Model) -> None:
        # (stamped like the report's span: from the last sample before the window)
        self.base = Facts.of(model, model.process.last_ts)

    def _span_ends(self, model: Model) -> tuple[float, float] | None:
        if self.base is None or self.last_ts is None:
            return None
        begin, end = self.base.ts, self.last_ts
        exec_ts = (model.launch or {}).get("exec_ts")
        if isinstance(exec_ts, (int, float)) and begin < exec_ts <= end:
            begin = float(exec_ts)  # a held command: its time starts at the exec
        exited = model.exit.ts if model.exit is not None else None
        if isinstance(exited, (int, float)) and exited > end and (
                self.end is None or exited <= self.end):
            end = float(exited)
        return begin, end

    def result(self, model: Model) -> dict[str, Any]:
        ends = self._span_ends(model)
        if not self.inside or self.base is None or ends is None:
            return {}
        if ends[1] - ends[0] < MIN_WINDOW_S:
            return {"findings": [], "findings_missing": [
                {"kind": k.KIND, "why": f"the window is shorter than {MIN_WINDOW_S:g} s"}
                for k in KINDS]}
        self.base = replace(self.base, ts=ends[0])
        end = Facts.of(model, ends[1])
        found, missing = evaluate(Span(self.base, end, model))
        found = [f for f in found if f.kind in WHOLE_WINDOW or self._in_both_halves(f, end, model)]
        return {"findings": [as_json(f) for f in found],
                "findings_missing": [{"kind": k, "why": why} for k, why in missing.items()]}

    def _in_both_halves(self, f: Finding, end: Facts, model: Model) -> bool:
        assert self.base is not None
        middle = (self.base.ts + end.ts) / 2
        mid = min(self.kept, key=lambda x: abs(x.ts - middle), default=None)
        if mid is None or not self.base.ts < mid.ts < end.ts:
            return True  # too short to tell
        return all(f.key in {g.key for g in evaluate(Span(a, b, model))[0]}
                   for a, b in ((self.base, mid), (mid, end)))


def as_json(f: Finding) -> dict[str, Any]:
    out = asdict(f)
    out.pop("ended")  # a report's findings are of its window: none "ended"
    out["subject"] = list(f.subject)
    out["since"] = f.evidence.get("from_ts")
    return out
