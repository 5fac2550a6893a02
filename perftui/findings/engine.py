"""Judging the model: every kind over a span of counters (``evaluate``), and the live rule
that keeps findings from flashing (``Findings``).

Live: ``Findings.update(model)`` each refresh takes the model's counters, judges the last
WINDOW_S seconds of them, and returns the findings that held.  Found means found over the
window and over its last half-hold (or two intervals): a start-up burst weighs in the
window's rates for the window's whole length, but is over.  A finding shows once it has been
found at every update for HOLD_S seconds or two intervals, whichever is longer; ``since`` is
when it was first found.  Once it is no longer found it stays, ``ended`` set to the first
update that missed it; it becomes ongoing again, same ``since``, if it comes back.  When the
model's clock goes back (a replay seeked), the engine starts over.  Once the target has
exited, every finding is ended (at the exit).
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from perftui.findings.base import Data, Finding, rank
from perftui.findings.catalog import KINDS, WHOLE_WINDOW
from perftui.findings.facts import Facts, Span
from perftui.model.model import Model

WINDOW_S = 10.0  # live findings judge this much of the recent past
HOLD_S = 5.0
HISTORY_S = 300.0  # series (RSS growth) are judged over up to this much
MAX_ENDED = 50  # ended findings kept, the oldest forgotten first
Key = tuple[str, ...]


def evaluate(span: Span) -> tuple[list[Finding], dict[str, str]]:
    """Every kind's findings over ``span``, the most severe first, and for each kind whose
    data is missing, why."""
    data = Data(span.model)
    found: list[Finding] = []
    missing: dict[str, str] = {}
    for kind in KINDS:
        why = [w for need in kind.NEEDS if (w := data.missing(need))]
        if why:
            missing[kind.KIND] = "; ".join(why)
            continue
        found += kind.detect(span)
    return order(found), missing


def order(found: list[Finding]) -> list[Finding]:
    """Ongoing before ended, the most severe first, then the biggest main figure."""
    return sorted(found, key=lambda f: (f.ended is not None, -rank(f.severity), -f.figure,
                                        f.key))


class Findings:
    """Live findings with the hold rule; call ``update`` with the model each refresh (on the
    thread that owns the model)."""

    def __init__(self, window_s: float = WINDOW_S, hold_s: float = HOLD_S) -> None:
        self.window_s = window_s
        self.hold_s = hold_s
        self.missing: dict[str, str] = {}  # kind -> why its data is missing (last update)
        self._facts: deque[Facts] = deque()
        self._first: dict[Key, float] = {}  # found, held or not: since when
        self._shown: dict[Key, Finding] = {}
        self._frames = -1  # the model's frame count at the last update

    def hold(self, model: Model) -> float:
        """How long a finding must hold: HOLD_S, or two sampling intervals if longer."""
        return max(self.hold_s, 2 * (model.interval or _probe_interval(model)))

    def update(self, model: Model) -> list[Finding]:
        self._update(model)
        if model.exit is not None:  # nothing goes on in a process that is gone
            at = model.exit.ts if isinstance(model.exit.ts, (int, float)) else model.now
            for key, f in self._shown.items():
                if f.ended is None:
                    self._shown[key] = replace(f, ended=float(at or 0.0))
        return self.current()

    def _update(self, model: Model) -> list[Finding]:
        if model.frames == self._frames:
            return self.current()  # nothing new (paused, or no frame since)
        self._frames = model.frames
        now = Facts.of(model)
        if self._facts and now.ts < self._facts[-1].ts:
            self.reset()  # the clock went back (a replay seeked): what held is not known
        elif self._facts and now.ts == self._facts[-1].ts:
            self._facts.pop()  # more frames of the same moment: the newer reading
        self._facts.append(now)
        while len(self._facts) > 2 and self._facts[1].ts <= now.ts - self.window_s:
            self._facts.popleft()
        base = self._facts[0]
        if base is now:
            return self.current()
        found, self.missing = evaluate(Span(base, now, model, now.ts - HISTORY_S))
        hold = self.hold(model)
        # (two intervals at least: the streams' frames of one tick come apart, and between
        # them the newest counters of one stream are an interval old)
        every = model.interval or _probe_interval(model)
        found = self._recent(found, now, model, max(hold / 2, 2 * every))
        seen: set[Key] = set()
        for f in found:
            key = f.key
            seen.add(key)
            since = self._first.setdefault(key, now.ts)
            old = self._shown.get(key)
            if old is not None:
                self._shown[key] = replace(f, since=old.since, ended=None)
            elif now.ts - since >= hold:
                self._shown[key] = replace(f, since=since)
        for key in [k for k in self._first if k not in seen]:
            del self._first[key]  # not found now: its hold starts over
        for key, f in self._shown.items():
            if key not in seen and f.ended is None:
                self._shown[key] = replace(f, ended=now.ts)
        ended = [k for k, f in self._shown.items() if f.ended is not None]
        for key in ended[:max(0, len(ended) - MAX_ENDED)]:
            del self._shown[key]
        return self.current()

    def _recent(self, found: list[Finding], now: Facts, model: Model,
                seconds: float) -> list[Finding]:
        """Those also found over the last ``seconds`` (half the hold, or two intervals): a
        burst (a program's start-up) weighs in the window's rates for the window's whole
        length, but is over; so a burst shows only if it lasts for more than half the hold."""
        recent = next((f for f in reversed(self._facts) if f.ts <= now.ts - seconds), None)
        if recent is None or recent is self._facts[0]:
            return found
        still = {f.key for f in evaluate(Span(recent, now, model, now.ts - HISTORY_S))[0]}
        return [f for f in found if f.key in still or f.kind in WHOLE_WINDOW]

    def reset(self) -> None:
        """Forget everything (a new session, or a replay seeked back)."""
        self._facts.clear()
        self._first.clear()
        self._shown.clear()

    def current(self) -> list[Finding]:
        return order(list(self._shown.values()))


def _probe_interval(model: Model) -> float:
    return max((p.interval or 0.0 for p in model.probes.values()), default=0.0)
