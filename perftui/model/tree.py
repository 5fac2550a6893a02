"""The watched process tree: every process below the target, live or ended, with its figures.

Three streams describe it (docs/frames.md): the procfs probe's ``procs`` rows (the live
descendants at each sample: parent, command, CPU, RSS, threads, I/O) and ``exits`` (the
kernel's exit record of each descendant that ended: its status, life and CPU, also for one
that lived between two samples), and the eBPF probe's ``procs`` (per process: syscalls and
the bytes its read/write calls moved, exact, for every process that made a call).  A process
is keyed by pid; a pid seen again with another start time is another process (the older one
is kept under its pid and start).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

START_SLACK_S = 0.5  # the same pid with starts further apart than this: a reused pid
MAX_PROCESSES = 4096  # past this many ended processes, the oldest are forgotten
HISTORY = 240  # samples of each process's CPU and RSS kept, for the charts of a picked one


@dataclass(frozen=True)
class ProcPoint:
    ts: float
    cpu_percent: float | None
    rss: int
    read_per_s: float | None  # bytes through read()-family calls (rchar)
    write_per_s: float | None


@dataclass
class ProcState:
    pid: int
    ppid: int | None = None
    command: str = ""  # argv joined, else the kernel's comm
    start_ts: float | None = None
    end_ts: float | None = None
    exit_code: int | None = None
    exit_signal: int | None = None
    user_s: float | None = None
    system_s: float | None = None
    rss: int | None = None
    threads: int | None = None
    state: str = ""
    rchar: int | None = None  # /proc/PID/io: bytes through read()/write() calls
    wchar: int | None = None
    syscalls: int | None = None  # from the eBPF probe (since it attached)
    read_bytes: int | None = None
    write_bytes: int | None = None
    cpu_percent: float | None = None  # over the last sample interval (of one core)
    history: deque[ProcPoint] = field(default_factory=lambda: deque(maxlen=HISTORY))
    _last: tuple[float, float] | None = None  # (ts, cpu seconds) at the last row

    @property
    def read_per_s(self) -> float | None:
        return self.history[-1].read_per_s if self.history and self.alive else None

    @property
    def write_per_s(self) -> float | None:
        return self.history[-1].write_per_s if self.history and self.alive else None

    @property
    def alive(self) -> bool:
        return self.end_ts is None

    @property
    def cpu_s(self) -> float | None:
        if self.user_s is None or self.system_s is None:
            return None
        return self.user_s + self.system_s


@dataclass
class ProcessTable:
    procs: dict[int, ProcState] = field(default_factory=dict)  # by pid: the newest process
    ended: list[ProcState] = field(default_factory=list)  # older processes of reused pids
    root: int | None = None
    seen: bool = False  # a probe followed the tree (--children): the session has this data
    reaped_cpu_s: float | None = None  # the target's cutime + cstime: its reaped children's

    def all(self) -> list[ProcState]:
        return [*self.ended, *self.procs.values()]

    def _get(self, pid: int, start: float | None = None) -> ProcState:
        p = self.procs.get(pid)
        if p is not None and start is not None and p.start_ts is not None \
                and abs(p.start_ts - start) > START_SLACK_S:
            self.ended.append(p)  # the pid was reused: that one is over
            del self.ended[:-MAX_PROCESSES]
            p = None
        if p is None:
            p = self.procs[pid] = ProcState(pid, start_ts=start)
        return p

    def apply_procfs(self, ts: float, frame: dict[str, Any]) -> None:
        rows = frame.get("procs")
        if rows is None:
            return
        self.seen = True
        reaped = frame.get("reaped_cpu")
        if isinstance(reaped, list) and len(reaped) == 2:
            self.reaped_cpu_s = float(reaped[0]) + float(reaped[1])
        seen: set[int] = set()
        for (pid, ppid, start, comm, argv, user, system, rss, threads, state,
             rchar, wchar, *_) in rows:
            p = self._get(int(pid), float(start) if start is not None else None)
            seen.add(p.pid)
            p.ppid, p.start_ts = int(ppid), p.start_ts or start
            if argv:
                p.command = " ".join(str(a) for a in argv)
            elif not p.command:
                p.command = str(comm)
            p.user_s, p.system_s = float(user), float(system)
            cpu = p.user_s + p.system_s
            reads = writes = None
            if p._last is not None and ts > p._last[0]:
                dt = ts - p._last[0]
                p.cpu_percent = max(0.0, cpu - p._last[1]) / dt * 100
                reads, writes = _rate(p.rchar, rchar, dt), _rate(p.wchar, wchar, dt)
            p._last = (ts, cpu)
            p.rss, p.threads, p.state = int(rss), int(threads), str(state)
            p.rchar, p.wchar = rchar, wchar
            p.history.append(ProcPoint(ts, p.cpu_percent, p.rss, reads, writes))
        for row in frame.get("exits") or []:
            self._exit(row)
        for p in self.procs.values():  # left without an exit record (no taskstats)
            if p.pid not in seen and p.end_ts is None and p.start_ts is not None \
                    and p.pid != self.root and p.state:
                p.end_ts, p.state, p.cpu_percent, p.threads = ts, "gone", None, None
        self._forget_oldest()

    def _forget_oldest(self) -> None:
        """A build runs thousands of short processes: past MAX_PROCESSES ended ones, the
        earliest ended are forgotten (the live ones and the target never are)."""
        ended = [p for p in self.procs.values() if p.end_ts is not None and p.pid != self.root]
        if len(ended) + len(self.ended) <= MAX_PROCESSES:
            return
        self.ended.clear()
        ended.sort(key=lambda p: p.end_ts or 0.0)
        for p in ended[:len(ended) - MAX_PROCESSES]:
            del self.procs[p.pid]

    def _exit(self, row: list[Any]) -> None:
        pid, ppid, comm, btime, life, user, system, code, signal, *_ = row
        known = self.procs.get(int(pid))
        start = known.start_ts if known is not None and known.start_ts is not None \
            and abs(known.start_ts - float(btime)) <= 1.0 else float(btime)
        p = self._get(int(pid), start)
        p.start_ts = p.start_ts if p.start_ts is not None else start
        p.ppid = int(ppid) if p.ppid is None else p.ppid
        p.command = p.command or str(comm)
        p.end_ts = start + float(life)
        p.user_s, p.system_s = float(user), float(system)  # the whole life's
        p.exit_code, p.exit_signal = code, signal
        p.state, p.rss, p.threads, p.cpu_percent = "exited", None, None, None

    def get(self, pid: int) -> ProcState | None:
        """The newest process with this pid."""
        return self.procs.get(pid)

    def apply_ebpf(self, counts: dict[Any, list[int]]) -> None:
        self.seen = True
        for pid, (calls, rbytes, wbytes, *_rest) in counts.items():
            p = self.procs.get(int(pid)) or self._get(int(pid))
            p.syscalls, p.read_bytes, p.write_bytes = int(calls), int(rbytes), int(wbytes)


def _rate(before: int | None, now: int | None, dt: float) -> float | None:
    if before is None or now is None or now < before:
        return None
    return (now - before) / dt
