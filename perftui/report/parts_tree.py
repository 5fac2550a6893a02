"""Report part for the process tree (``--children``): ``processes[]``, and the tree's totals.

Each process's figures over the window are (value at the window's end - value at its start),
like every part: a process that started inside the window counts from zero, one that ended
before it is left out.  The target itself is the first row, from its own stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perftui.model.model import Model
from perftui.model.tree import ProcState

Counts = tuple[float | None, int | None, int | None, int | None]  # cpu_s, calls, read, write


def _counts(p: ProcState) -> Counts:
    return (p.cpu_s, p.syscalls, p.read_bytes if p.read_bytes is not None else p.rchar,
            p.write_bytes if p.write_bytes is not None else p.wchar)


def _key(p: ProcState) -> tuple[int, float | None]:
    return (p.pid, p.start_ts)


def _minus(a: float | int | None, b: float | int | None) -> Any:
    if a is None:
        return None
    return a - (b or 0)


@dataclass
class ProcessesPart:
    base: dict[tuple[int, float | None], Counts] = field(default_factory=dict)
    base_reaped: float | None = None
    window_ts: float | None = None  # when the window opened (None: the session's start)
    inside: bool = False

    def window_opens(self, model: Model) -> None:
        self.base = {_key(p): _counts(p) for p in model.tree.all()}
        self.base_reaped = model.tree.reaped_cpu_s
        self.window_ts = model.now

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        if in_window:
            self.inside = True
        else:
            self.window_opens(model)

    def result(self, model: Model) -> dict[str, Any]:
        tree = model.tree
        if not tree.seen or not self.inside:
            return {}
        if model.pid is not None and model.pid not in tree.procs:  # no eBPF: no row of its own
            tree.procs[model.pid] = ProcState(model.pid)
        rows = [self._row(model, p) for p in tree.all()
                if self.window_ts is None or p.end_ts is None or p.end_ts > self.window_ts]
        root = [r for r in rows if r["pid"] == model.pid]
        rest = sorted((r for r in rows if r["pid"] != model.pid),
                      key=lambda r: (r["start_s"] if r["start_s"] is not None else 0.0, r["pid"]))
        out = [*root, *rest]
        totals = {k: (sum(r[k] for r in out if r[k] is not None)
                      if any(r[k] is not None for r in out) else None)
                  for k in ("cpu_s", "syscalls", "read_bytes", "write_bytes")}
        reaped = _minus(tree.reaped_cpu_s, self.base_reaped)
        return {"processes": out, "tree": {"processes": len(out), **totals,
                                           "reaped_cpu_s": reaped}}

    def _row(self, model: Model, p: ProcState) -> dict[str, Any]:
        exec_ts = (model.launch or {}).get("exec_ts")
        launched = float(exec_ts) if isinstance(exec_ts, (int, float)) else None
        # the report's start: the window's, a launched command's exec, else the first frame
        # (a held command's samples before its exec are a baseline, not a window's start)
        opened = self.window_ts
        if opened is not None and launched is not None:
            opened = max(opened, launched)
        origin = opened if opened is not None else launched or model.first_ts
        cpu, calls, rbytes, wbytes = _counts(p)
        command = p.command
        start, end, code = p.start_ts, p.end_ts, p.exit_code
        if p.pid == model.pid:  # the target: its own stream knows it best
            times = model.process.cpu_times
            cpu = sum(times) if times is not None else cpu
            meta = model.process.meta
            command = " ".join(str(a) for a in meta.get("cmdline") or []) or command
            started = meta.get("start_time")
            start = launched or (started if isinstance(started, float) else start)
            end = model.exit.ts if model.exit is not None else None
            code = model.exit.code if model.exit is not None else None
            ppid = meta.get("ppid")
            p.ppid = p.ppid if p.ppid is not None else (ppid if isinstance(ppid, int) else None)
        elif launched is not None and start is not None:
            # No descendant starts before the command's exec, but ``exec_ts`` is when the
            # launcher saw it, a millisecond or so late: a first child can read as earlier.
            start = max(start, launched)
        b_cpu, b_calls, b_r, b_w = self.base.get(_key(p), (None, None, None, None))
        return {"pid": p.pid, "ppid": p.ppid, "command": command,
                "start_s": _rel(start, origin), "end_s": _rel(end, origin), "exit": code,
                "signal": p.exit_signal if p.pid != model.pid else (
                    model.exit.signal if model.exit is not None else None),
                "cpu_s": _minus(cpu, b_cpu), "syscalls": _minus(calls, b_calls),
                "read_bytes": _minus(rbytes, b_r), "write_bytes": _minus(wbytes, b_w)}


def _rel(ts: float | None, origin: float | None) -> float | None:
    if ts is None or origin is None:
        return None
    return round(ts - origin, 3)
