"""The frames that make a recording started in the middle of a live session stand on its own.

A recording started from the live view (``r``) misses the frames before it.  Counters come
again in every sample, but some things a stream says once: its ``hello`` (schema, capabilities),
procfs's ``meta`` (the command), ebpf's ``caps``, pyspy's thread names, warnings, the probes'
states on the app's stream, and interned strings and stacks, which later frames name by id
only.  ``Prologue`` keeps the latest of each (references to frames already decoded: cheap) and
makes the frames a recording starts with; every frame after them is recorded unchanged.

Last come the baselines: each stream's latest cumulative counters (procfs's ``sample``,
ebpf's ``sys``, without its per-thread rows, which name only what changed), marked
``baseline`` with the time they were read in ``measured_ts``.  Counters count since the
probe attached or the process started, not since the recording: a recording's totals are
its last reading minus these.

The prologue frames are copies, stamped with the time the recording starts (so the replay does
not stretch back to the probe's start) and numbered with the seq of their stream's last frame
(so a reader counts no frames lost).  Interned strings ride on the copy of ``caps`` or
``hello`` (any frame may carry ``strs``); pyspy's strings, stacks and thread names on an empty
``chunk``, the one frame a reader takes stacks from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgpack

from perftui.frames import APP_STREAM, Frame

Item = tuple[str, bytes, Frame]

KINDS = ("hello", "meta", "caps", "threads")  # per stream, the latest of each, in this order
READINGS = ("sample", "sys")  # frames of cumulative counters: the recording's baseline
PYSPY = "pyspy"
MAX_WARNINGS = 10


@dataclass
class _Stream:
    frames: dict[str, Frame] = field(default_factory=dict)  # kind -> latest
    warnings: dict[str, Frame] = field(default_factory=dict)  # msg -> latest
    gone: Frame | None = None
    strs: dict[Any, Any] = field(default_factory=dict)
    stacks: dict[Any, Any] = field(default_factory=dict)
    names: dict[Any, Any] = field(default_factory=dict)  # pyspy: tid -> thread name
    pids: dict[Any, Any] = field(default_factory=dict)
    seq: int | None = None
    reading: Frame | None = None  # the latest cumulative counters (procfs sample, ebpf sys)

    def see(self, kind: Any, frame: Frame) -> None:
        if kind == "hello":  # a (re)started probe: its ids and state start over
            self.frames.clear()
            self.warnings.clear()
            self.gone = None
            self.strs.clear()
            self.stacks.clear()
        if frame.get("reset"):
            self.strs.clear()
            self.stacks.clear()
        seq = frame.get("seq")
        if isinstance(seq, int):
            self.seq = seq
        tables = [("strs", self.strs), ("stacks", self.stacks), ("pids", self.pids)]
        if kind == "chunk":  # a pyspy chunk names threads first sampled in it
            tables.append(("threads", self.names))
        for key, table in tables:
            value = frame.get(key)
            if isinstance(value, dict):
                table.update(value)
        if kind in READINGS:
            self.reading = frame
        if kind in KINDS:
            self.frames[str(kind)] = frame
        elif kind == "warn":
            msg = str(frame.get("msg", ""))
            self.warnings.pop(msg, None)
            self.warnings[msg] = frame
            while len(self.warnings) > MAX_WARNINGS:
                del self.warnings[next(iter(self.warnings))]
        elif kind == "gone":
            self.gone = frame


class Prologue:
    """Feed it every frame (``see``); ``frames()`` is what a recording starting now needs."""

    def __init__(self) -> None:
        self._streams: dict[str, _Stream] = {}
        self._probes: dict[str, Frame] = {}  # the app stream's latest `probe` frame per name
        self._exit: Frame | None = None
        self._app_seq: int | None = None
        self.now: float | None = None  # newest timestamp seen

    def see(self, stream: str, frame: Frame) -> None:
        ts = frame.get("ts")
        if isinstance(ts, (int, float)):
            self.now = float(ts) if self.now is None else max(self.now, float(ts))
        kind = frame.get("k")
        if stream == APP_STREAM:
            seq = frame.get("seq")
            self._app_seq = seq if isinstance(seq, int) else self._app_seq
            if kind == "probe":
                self._probes[str(frame.get("name"))] = frame
            elif kind == "exit":
                self._exit = frame
            return
        self._streams.setdefault(stream, _Stream()).see(kind, frame)

    @property
    def streams(self) -> list[str]:
        """The probe streams seen so far."""
        return list(self._streams)

    def frames(self, ts: float | None = None) -> list[Item]:
        """The frames to record first, stamped ``ts`` (default: the newest time seen)."""
        when = self.now if ts is None else ts
        if when is None:
            return []
        out: list[Item] = []

        def add(stream: str, frame: Frame, seq: int | None, **extra: Any) -> None:
            copy = {**frame, **extra, "ts": when}
            if seq is not None:
                copy["seq"] = seq
            out.append((stream, msgpack.packb(copy, use_bin_type=True), copy))

        for frame in self._probes.values():
            add(APP_STREAM, frame, self._app_seq)
        for name, st in self._streams.items():
            strs_on = next((k for k in ("caps", "hello") if k in st.frames), None)
            for kind in KINDS:
                if kind in st.frames:
                    strs = {"strs": dict(st.strs)} if kind == strs_on and st.strs and \
                        name != PYSPY else {}
                    add(name, st.frames[kind], st.seq, **strs)
            for frame in st.warnings.values():
                add(name, frame, st.seq)
            if name == PYSPY and (st.strs or st.stacks or st.names or st.pids):
                add(name, {"k": "chunk", "t0": when, "t1": when, "asked": 0, "got": 0,
                           "errors": 0, "samples": [], "strs": dict(st.strs),
                           "stacks": dict(st.stacks), "threads": dict(st.names),
                           "pids": dict(st.pids)}, st.seq)
            if st.gone is not None:
                add(name, st.gone, st.seq)
        if self._exit is not None:
            add(APP_STREAM, self._exit, self._app_seq)
        # Last, procfs's last (the report's parts read the others at procfs samples): each
        # stream's latest counters, the start of the recording's windows.
        for name, st in sorted(self._streams.items(), key=lambda item: item[0] == "procfs"):
            if st.reading is not None:
                base = {k: v for k, v in st.reading.items() if k != "bythread"}
                add(name, base, st.seq, baseline=True, measured_ts=st.reading.get("ts"),
                    **({"strs": dict(st.strs)} if st.strs and name != PYSPY else {}))
        return out
