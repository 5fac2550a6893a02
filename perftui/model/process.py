"""What the procfs stream says about the target: counters in, rates and tables out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perftui.frames import Frame
from perftui.model.series import Series, rate


@dataclass
class ThreadState:
    tid: int
    name: str
    state: str
    user_s: float
    system_s: float
    ctx: int
    last_cpu: int
    cpu_percent: float | None = None
    user_percent: float | None = None
    system_percent: float | None = None
    ctx_per_s: float | None = None


@dataclass
class ConnState:
    local: str
    remote: str
    state: str
    inode: int
    sent: int | None
    recv: int | None
    sent_per_s: float | None = None
    recv_per_s: float | None = None
    # Bytes seen moving since perftui attached (deltas summed), for totals and reports.
    sent_since_attach: int = 0
    recv_since_attach: int = 0


MAX_ENDED_NAMES = 1024


@dataclass
class OpenFile:
    fd: int
    path: str
    pos: int | None


@dataclass
class ProcessState:
    """The target as the procfs stream describes it, with per-second rates derived here."""

    history: int
    meta: Frame = field(default_factory=dict)
    last_ts: float | None = None
    state: str = "?"
    samples: int = 0
    final: bool = False  # the last sample came: the process ended (its threads' rates stop)
    threads: dict[int, ThreadState] = field(default_factory=dict)
    # Names of threads that have ended, newest last: what they did (syscalls per thread)
    # outlives them in trailing windows.  Bounded: a thread-per-task server ends many.
    ended_names: dict[int, str] = field(default_factory=dict)
    mem: Frame = field(default_factory=dict)
    io: Frame | None = None
    fd_count: int | None = None
    files: list[OpenFile] = field(default_factory=list)
    conns: dict[tuple[str, str, int], ConnState] = field(default_factory=dict)
    sock_counts: Frame = field(default_factory=dict)
    net_seen: bool = False
    # Counter readings of the previous sample, to derive rates from.
    _prev_cpu: tuple[float, float] | None = None
    _prev_mem: Frame = field(default_factory=dict)
    _prev_io: Frame | None = None
    _prev_ctx: int | None = None
    # Latest rates (per second) by name: cpu, cpu_user, cpu_system, rchar, syscw, minflt...
    rates: dict[str, float | None] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)

    def series_for(self, name: str) -> Series:
        s = self.series.get(name)
        if s is None:
            s = self.series[name] = Series(self.history)
        return s

    def apply_meta(self, frame: Frame) -> None:
        self.meta = {k: v for k, v in frame.items() if k not in ("k", "seq")}

    @property
    def cpu_times(self) -> tuple[float, float] | None:
        """The latest (user, system) CPU seconds since the process started."""
        return self._prev_cpu

    def apply_sample(self, frame: Frame) -> None:
        # A recording's baseline is stamped when the recording starts, read a little before.
        ts = float(frame.get("measured_ts") or frame["ts"])
        dt = ts - self.last_ts if self.last_ts is not None else 0.0
        self.state = str(frame.get("state", "?"))
        try:
            self._apply_cpu(ts, dt, frame.get("cpu"))
            if frame.get("final"):
                self.final = True
                self._rename_threads(frame.get("threads") or [])
            else:
                self._apply_threads(ts, dt, frame.get("threads") or [])
            self._apply_mem(ts, dt, frame.get("mem") or {})
            if "io" in frame or not frame.get("final"):  # a last word may lack it
                self._apply_io(ts, dt, frame.get("io"))
            self._apply_fd(frame.get("fd"))
            self._apply_net(ts, dt, frame.get("net"))
        finally:
            # Even when a malformed field stops the rest: the counters taken so far belong
            # to this timestamp, so the next sample's rates span the right interval.
            self.last_ts = ts
            self.samples += 1

    def _record(self, ts: float, name: str, value: float | None) -> None:
        self.rates[name] = value
        if value is not None:
            self.series_for(name).append(ts, value)

    def _apply_cpu(self, ts: float, dt: float, cpu: list[float] | None) -> None:
        if not cpu:
            return
        user, system = float(cpu[0]), float(cpu[1])
        if self._prev_cpu is not None and dt > 0:
            u = rate(self._prev_cpu[0], user, dt)
            s = rate(self._prev_cpu[1], system, dt)
            self._record(ts, "cpu_user", None if u is None else u * 100)
            self._record(ts, "cpu_system", None if s is None else s * 100)
            total = None if u is None or s is None else (u + s) * 100
            self._record(ts, "cpu", total)
        self._prev_cpu = (user, system)

    def _rename_threads(self, rows: list[list[Any]]) -> None:
        """A zombie's last sample: only its leader is left, under its last name.  The other
        threads stay as last seen (what a user wants on screen after the exit)."""
        for row in rows:
            t = self.threads.get(int(row[0]))
            if t is not None:
                t.name, t.state = str(row[1]), str(row[2])

    def _apply_threads(self, ts: float, dt: float, rows: list[list[Any]]) -> None:
        seen: dict[int, ThreadState] = {}
        total_ctx = 0
        for tid, name, state, user_s, system_s, vcsw, ivcsw, last_cpu in rows:
            ctx = int(vcsw or 0) + int(ivcsw or 0)
            total_ctx += ctx
            cur = ThreadState(int(tid), str(name), str(state), float(user_s), float(system_s),
                              ctx, int(last_cpu if last_cpu is not None else -1))
            prev = self.threads.get(cur.tid)
            if prev is not None and dt > 0:
                u = rate(prev.user_s, cur.user_s, dt)
                s = rate(prev.system_s, cur.system_s, dt)
                if u is not None and s is not None:
                    cur.user_percent, cur.system_percent = u * 100, s * 100
                    cur.cpu_percent = (u + s) * 100
                cur.ctx_per_s = rate(prev.ctx, cur.ctx, dt)
            seen[cur.tid] = cur
        for tid, gone in self.threads.items():
            if tid not in seen:
                self.ended_names.pop(tid, None)  # tids are reused: newest last
                self.ended_names[tid] = gone.name
        while len(self.ended_names) > MAX_ENDED_NAMES:
            del self.ended_names[next(iter(self.ended_names))]
        self.threads = seen
        if rows:
            if self._prev_ctx is not None:
                self._record(ts, "ctx", rate(self._prev_ctx, total_ctx, dt))
            self._prev_ctx = total_ctx

    def _apply_mem(self, ts: float, dt: float, mem: Frame) -> None:
        if not mem:
            return
        self.mem = mem
        for key in ("rss", "uss", "pss", "swap", "vms"):
            value = mem.get(key)
            if value is not None:
                self.series_for(key).append(ts, float(value))
        for key in ("minflt", "majflt"):
            if key in self._prev_mem:
                self._record(ts, key, rate(self._prev_mem.get(key), mem.get(key), dt))
        self._prev_mem = mem

    def _apply_io(self, ts: float, dt: float, io: Frame | None) -> None:
        self.io = io
        if io is None:
            self._prev_io = None
            return
        if self._prev_io is not None:
            for key in ("rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes"):
                self._record(ts, key, rate(self._prev_io.get(key), io.get(key), dt))
        self._prev_io = io

    def _apply_fd(self, fd: Frame | None) -> None:
        if not fd:
            return
        self.fd_count = fd.get("count")
        files = fd.get("files")
        if files is not None:
            self.files = [OpenFile(int(f[0]), str(f[1]), None if f[2] is None else int(f[2]))
                          for f in files]

    def _apply_net(self, ts: float, dt: float, net: Frame | None) -> None:
        if net is None:
            return
        self.net_seen = True
        self.sock_counts = {k: net.get(k) for k in ("udp", "unix", "other")}
        conns: dict[tuple[str, str, int], ConnState] = {}
        sent_total = recv_total = 0.0
        for local, remote, state, inode, sent, recv in net.get("tcp") or []:
            key = (str(local), str(remote), int(inode))
            cur = ConnState(key[0], key[1], str(state), key[2], sent, recv)
            prev = self.conns.get(key)
            if prev is not None:
                cur.sent_since_attach = prev.sent_since_attach
                cur.recv_since_attach = prev.recv_since_attach
                if dt > 0:
                    cur.sent_per_s = rate(prev.sent, sent, dt)
                    cur.recv_per_s = rate(prev.recv, recv, dt)
                if prev.sent is not None and sent is not None and sent >= prev.sent:
                    cur.sent_since_attach += sent - prev.sent
                if prev.recv is not None and recv is not None and recv >= prev.recv:
                    cur.recv_since_attach += recv - prev.recv
            sent_total += cur.sent_per_s or 0.0
            recv_total += cur.recv_per_s or 0.0
            conns[key] = cur
        self.conns = conns
        if dt > 0:
            self._record(ts, "net_sent", sent_total)
            self._record(ts, "net_recv", recv_total)
