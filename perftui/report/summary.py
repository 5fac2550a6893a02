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

from perftui.frames import PROCFS, SYSCALL_STREAMS, Frame
from perftui.model.model import Model
from perftui.report.accum import SummaryPart, WindowStart
from perftui.report.parts import CpuPart, FunctionsPart, IoPart, MemoryPart, NetPart, ThreadsPart
from perftui.report.parts_findings import FindingsPart
from perftui.report.parts_sys import FilesPart, SyscallsPart
from perftui.report.parts_tree import ProcessesPart

STACK_STREAMS = ("pyspy", "stacks")
# How long after a window's end its last stack chunk may come (py-spy's chunks last 2 s in
# a recording, up to PYSPY_MAX_CHUNK_S live, plus the time to write them).
CHUNK_SLACK_S = 12.0


def part_factories() -> list[Callable[[], SummaryPart]]:
    """Every report part, in the order their keys appear: an explicit list, no registry."""
    return [CpuPart, MemoryPart, IoPart, NetPart, ThreadsPart, FunctionsPart, SyscallsPart,
            FilesPart, ProcessesPart, FindingsPart]


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
    _full_ts: float | None = None  # the last procfs sample with I/O counters
    _baseline: bool = False  # the frame just applied is a recording's baseline
    _opened: bool = False  # a frame past ``start`` came
    _last_word: str = ""  # how procfs saw the end: "zombie" (a last sample), "taskstats"
    _past: set[str] = field(default_factory=set)  # streams with a frame past ``start``

    def __post_init__(self) -> None:
        if not self.parts:
            self.parts = [factory() for factory in part_factories()]
        for part in self.parts:
            if isinstance(part, FunctionsPart):
                part.open_end = self.end is None  # stack chunks after the last sample count
            if isinstance(part, FindingsPart):
                part.end = self.end

    def apply(self, stream: str, frame: Frame) -> bool:
        """Fold one frame in; False once past the window's end (the caller may stop)."""
        ts = frame.get("ts")
        if self.end is not None and isinstance(ts, (int, float)) and ts > self.end:
            # A stack chunk is written when it ends: one written after the window's end can
            # hold samples from inside it (counted by their midpoint, like every chunk).
            if ts > self.end + CHUNK_SLACK_S:
                return False
            t0 = frame.get("t0")
            if stream in STACK_STREAMS and frame.get("k") == "chunk" \
                    and isinstance(t0, (int, float)) and t0 <= self.end:
                self.model.apply(stream, frame)
            return True
        if not self._opened and self.start is not None and isinstance(ts, (int, float)) \
                and ts > self.start:
            # Every frame up to the window's start is in: the counters' value at its start.
            self._opened = True
            for part in self.parts:
                if isinstance(part, WindowStart):
                    part.window_opens(self.model)
        # A syscall probe's frame of before the start that comes after the window opened
        # (stamped before a long read, written after another stream's frame of past the
        # start): it belongs to the base, else two adjacent windows both count it.
        late = self._opened and stream in SYSCALL_STREAMS and stream not in self._past \
            and isinstance(ts, (int, float)) and self.start is not None and ts <= self.start
        if isinstance(ts, (int, float)) and self.start is not None and ts > self.start:
            self._past.add(stream)
        self.model.apply(stream, frame)
        if late:
            for part in self.parts:
                if getattr(part, "SYSCALL_STREAMS_ONLY", False) and isinstance(part, WindowStart):
                    part.window_opens(self.model)
        self._baseline = bool(frame.get("baseline"))
        if stream == PROCFS and frame.get("k") == "sample" and isinstance(ts, (int, float)):
            if "io" in frame:
                self._full_ts = float(ts)  # counters read from /proc, not a CPU-only last word
            if frame.get("final"):
                self._last_word = str(frame.get("source") or "zombie")
        proc = self.model.process
        if proc.samples == self._seen or proc.last_ts is None:
            return True
        self._seen = proc.samples
        ts = proc.last_ts
        # A sample covers (prev, ts]; one of a held command's wrapper, and a recording's
        # first reading (taken before it started), are only where its windows start from.
        inside = (self.start is None or ts > self.start) and not self.model.held() \
            and not self._baseline
        prev = self.last_ts if self.last_ts is not None else self.base_ts
        exec_ts = self._exec_ts()
        if prev is not None and exec_ts is not None and prev < exec_ts <= ts:
            prev = exec_ts  # a held command: its time starts at the exec, not the hold
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

    def _exec_ts(self) -> float | None:
        exec_ts = (self.model.launch or {}).get("exec_ts")
        return float(exec_ts) if isinstance(exec_ts, (int, float)) else None

    def _life(self) -> tuple[float | None, float | None]:
        """The span the report covers: a window's bounds, or for the whole session the
        target's observed life (from the exec of a command perftui started, else the first
        sample; to its exit when it ended, else the last sample)."""
        begin = self.base_ts if self.base_ts is not None else self.first_ts
        end = self.last_ts
        exec_ts = self._exec_ts()
        if self.start is None and exec_ts is not None and begin is not None:
            begin = max(begin, exec_ts)
        ended = self.model.exit.ts if self.model.exit is not None else None
        if self.end is None and isinstance(ended, (int, float)) and end is not None:
            end = max(end, float(ended))
        return begin, end

    def result(self) -> dict[str, Any]:
        m = self.model
        meta = m.process.meta
        begin, end = self._life()
        duration = (end - begin) if end is not None and begin is not None else 0.0
        out: dict[str, Any] = {
            "duration_s": duration, "pid": m.pid,
            "command": " ".join(str(a) for a in meta.get("cmdline") or [])
            or str(meta.get("name", "")),
            "host": m.host, "start_ts": begin, "end_ts": end, "samples": self.samples,
            "coverage": self._coverage(begin, end)}
        for part in self.parts:
            out.update(part.result(m))
        return out

    def _coverage(self, begin: float | None, end: float | None) -> dict[str, Any]:
        """How much of the report's span each probe saw, and how the target was watched:
        launched held (``held_s`` before its exec) or attached (``attached_after_s`` into
        its life); ``unobserved_s``: its end not seen by procfs (an attached target that
        exited between two samples with no way to read its last counters)."""
        m = self.model
        probes: dict[str, Any] = {}
        for name, status in sorted(m.probes.items()):
            lo, hi = status.first_data, status.last_data
            if lo is None or hi is None:
                continue
            if begin is not None:
                lo = max(lo, begin)
            if end is not None:
                hi = min(hi, end)
            probes[name] = {"from_s": round(lo - begin, 6) if begin is not None else None,
                            "span_s": round(max(0.0, hi - lo), 6)}
        out: dict[str, Any] = {"probes": probes}
        if m.launch is not None:
            out["launched"] = {"held_s": m.launch.get("held_s"),
                               "msg": m.launch.get("msg") or ""}
        elif self.start is None:
            started = m.process.meta.get("start_time")
            if isinstance(started, (int, float)) and self.first_ts is not None:
                out["attached_after_s"] = round(max(0.0, self.first_ts - started), 3)
        ended = m.exit.ts if m.exit is not None else None
        if self.end is None and isinstance(ended, (int, float)) and self._full_ts is not None:
            out["end_seen_by"] = {"zombie": "a last sample of the exited process",
                                  "taskstats": "the kernel's exit record (CPU only)"}.get(
                                      self._last_word, "the last sample before the exit")
            # Memory and I/O after the last full sample (CPU too without an exit record).
            out["unobserved_s"] = (0.0 if self._last_word == "zombie"
                                   else round(max(0.0, float(ended) - self._full_ts), 3))
        return out
