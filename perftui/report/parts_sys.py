"""Report parts for the ``ebpf`` stream: ``syscalls`` and ``files`` over the report's window.

Counters are cumulative, so a window's figure is the last reading inside it minus the last
reading before it; percentiles come from the histogram difference (perftui.model.syscalls).
Parts are shown the model after each procfs sample, and the ebpf probe's frame of the same
interval comes after that sample: the last reading is the model as the window ends (every
frame up to the window's end applied), not the one at the last sample, which would leave out
the final interval (and the target's last calls, sent just before ``gone``).
Registered on import (perftui.views.snapshot imports this module, and every use of the model
package imports that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perftui.model.model import Model
from perftui.model.syscalls import quantile_ns

Counts = tuple[int, int, tuple[int, ...]]  # calls, errors, latency buckets


def _minus(now: tuple[int, ...], base: tuple[int, ...]) -> list[int]:
    if len(base) > len(now) or any(b > n for n, b in zip(now, base, strict=False)):
        return list(now)  # the probe restarted: its histogram started over
    return [n - (base[i] if i < len(base) else 0) for i, n in enumerate(now)]


def _us(ns: float | None) -> float | None:
    return None if ns is None else ns / 1000


def _syscall_counts(model: Model) -> dict[str, Counts]:
    return {s.name: (s.calls, sum(s.errors.values()), tuple(s.lat))
            for s in model.sys.syscalls.values()}


FileCounts = tuple[int, int, int, int]  # read bytes, written bytes, reads, writes


def _file_counts(model: Model) -> dict[str, FileCounts]:
    return {f.path: (f.read_bytes, f.write_bytes, f.reads, f.writes)
            for f in model.sys.files.values()}


@dataclass
class SyscallsPart:
    """Also ``syscalls_span_s``: the time the counts cover, from the probe's frame they are
    counted from to its last one.  Its frames come on its own clock (it attaches after the
    first sample, and skips a tick when a read overruns): rates over ``duration_s`` were off
    by up to an interval in a window, and by the attach in a short session."""

    SYSCALL_STREAMS_ONLY = True  # its base is taken from the syscall probe's frames only
    base: dict[str, Counts] = field(default_factory=dict)
    base_ts: float | None = None  # the frame ``base`` was read from
    inside: bool = False  # a sample in the window was seen

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        if in_window:
            self.inside = True
        else:
            self.window_opens(model)

    def window_opens(self, model: Model) -> None:
        self.base = _syscall_counts(model)
        self.base_ts = model.sys.last_frame_ts

    def span(self, model: Model) -> float | None:
        end, start = model.sys.last_frame_ts, self.base_ts
        if start is None:  # counted from the attach, or a held command's exec
            start = model.sys.counting_since
            exec_ts = (model.launch or {}).get("exec_ts")
            if isinstance(exec_ts, (int, float)) and (start is None or start < exec_ts):
                start = float(exec_ts)
        return None if end is None or start is None else max(0.0, end - start)

    def result(self, model: Model) -> dict[str, Any]:
        last = _syscall_counts(model) if self.inside else {}
        if not last:
            return {}
        rows: list[dict[str, Any]] = []
        for name, (calls, errors, lat) in last.items():
            b_calls, b_errors, b_lat = self.base.get(name, (0, 0, ()))
            hist = _minus(lat, b_lat)
            rows.append({"name": name, "count": max(0, calls - b_calls),
                         "errors": max(0, errors - b_errors),
                         "p50_us": _us(quantile_ns(hist, 0.50)),
                         "p95_us": _us(quantile_ns(hist, 0.95)),
                         "p99_us": _us(quantile_ns(hist, 0.99))})
        rows.sort(key=lambda r: (-r["count"], r["name"]))
        out: dict[str, Any] = {"syscalls": rows}
        span = self.span(model)
        if span is not None:
            out["syscalls_span_s"] = round(span, 6)
        return out


@dataclass
class FilesPart:
    SYSCALL_STREAMS_ONLY = True  # its base is taken from the syscall probe's frames only
    base: dict[str, FileCounts] = field(default_factory=dict)
    inside: bool = False

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        if in_window:
            self.inside = True
        else:
            self.base = _file_counts(model)

    def window_opens(self, model: Model) -> None:
        self.base = _file_counts(model)

    def result(self, model: Model) -> dict[str, Any]:
        last = _file_counts(model) if self.inside else {}
        if not last:
            return {}
        rows: list[dict[str, Any]] = []
        late = {f.path for f in model.sys.files.values() if f.late}
        for path, now in last.items():
            then = self.base.get(path, (0, 0, 0, 0))
            r, w, nr, nw = (max(0, a - b) for a, b in zip(now, then, strict=True))
            row: dict[str, Any] = {"path": path, "read_bytes": r, "write_bytes": w,
                                   "reads": nr, "writes": nw}
            if path in late:
                row["opened_before_attach"] = True
            rows.append(row)
        rows.sort(key=lambda r: (-(r["read_bytes"] + r["write_bytes"]), r["path"]))
        return {"files": rows}

