"""Deterministic, realistic procfs frames for UI tests, snapshots and screenshots.

Every counter grows at a known constant rate, so the rates the model derives are exact and a
test can look for, e.g., ``fmt_percent(cfg.cpu_user + cfg.cpu_system)`` on screen.  No wall
clock: timestamps start at a fixed epoch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgpack

from perftui.probes.wire import SCHEMA_VERSION

Frame = dict[str, Any]
MiB = 1024 * 1024


@dataclass(frozen=True)
class Thread:
    tid: int
    name: str
    share: float  # of the process's CPU time
    ctx_per_s: int
    state: str = "S"


@dataclass(frozen=True)
class Conn:
    local: str
    remote: str
    state: str
    sent_per_s: int
    recv_per_s: int
    sent0: int = 0
    recv0: int = 0


@dataclass(frozen=True)
class Sys:
    """One syscall of the synthetic ebpf stream: every counter grows by its rate per second."""

    name: str
    per_s: int
    lat: tuple[tuple[int, int], ...] = ()  # (log2 bucket, calls/s timed there)
    errors: tuple[tuple[int, int], ...] = ()  # (errno, failures/s)


@dataclass(frozen=True)
class EbpfGen:
    """A synthetic ``ebpf`` stream (docs/frames.md), one ``sys`` frame per procfs sample."""

    syscalls: tuple[Sys, ...] = (
        Sys("read", 12_000, ((10, 6000), (11, 4800), (13, 1200))),
        Sys("futex", 2_500, ((12, 1500), (20, 1000)), ((11, 400),)),
        Sys("write", 300, ((14, 300),)),
        Sys("openat", 50, ((12, 50),), ((2, 20),)),
        Sys("epoll_wait", 100, ((24, 90), (26, 10))))
    # (path, read bytes/s, written bytes/s, reads/s, writes/s)
    files: tuple[tuple[str, int, int, int, int], ...] = (
        ("/srv/data/orders.db", 2 * MiB, 0, 11_000, 0),
        ("/var/log/worker/orders.log", 0, 256 * 1024, 0, 300),
        ("socket:[9001]", 180 * 1024, 20 * 1024, 1000, 200))
    # (id, kind, local, remote, state, sent bytes/s, received bytes/s)
    conns: tuple[tuple[int, str, str, str, str, int, int], ...] = (
        (1, "tcp", "10.0.0.5:43210", "10.0.0.9:5432", "ESTABLISHED", 20 * 1024, 180 * 1024),
        (2, "udp", "socket:[777]", "10.0.0.53:53", "", 100, 300))
    source: str = "bpf"


@dataclass(frozen=True)
class GenConfig:
    pid: int = 4242
    t0: float = 1_700_000_000.0
    interval: float = 1.0
    samples: int = 90
    uptime0: float = 3725.0  # target started 1h02m05s before the first frame
    cmdline: tuple[str, ...] = ("python3", "worker.py", "--queue", "orders", "--threads", "4")
    user: str = "alice"
    cpu_user: float = 62.5  # % of one core
    cpu_system: float = 12.5
    threads: tuple[Thread, ...] = (
        Thread(4242, "python3", 0.05, 12), Thread(4243, "worker-0", 0.40, 120, "R"),
        Thread(4244, "worker-1", 0.30, 95), Thread(4245, "worker-2", 0.15, 60),
        Thread(4246, "io-loop", 0.10, 310))
    rss0: int = 200 * MiB
    rss_growth_per_s: int = 0  # bytes per second; > 0 for a leak
    uss_share: float = 0.85
    pss_share: float = 0.9
    vms: int = 1536 * MiB
    minflt_per_s: int = 250
    majflt_per_s: int = 2
    rchar_per_s: int = 3 * MiB
    wchar_per_s: int = 512 * 1024
    read_bytes_per_s: int = 64 * 1024
    write_bytes_per_s: int = 256 * 1024
    syscr_per_s: int = 1200
    syscw_per_s: int = 300
    files: tuple[tuple[int, str, int], ...] = (
        (3, "/var/log/worker/orders.log", 48_211_000), (5, "/srv/data/orders.db", 1_048_576),
        (6, "/srv/data/orders.db-wal", 65_536), (9, "/tmp/worker-cache.bin", 0))
    sockets: int = 7
    conns: tuple[Conn, ...] = (
        Conn("10.0.0.5:43210", "10.0.0.9:5432", "ESTABLISHED", 20 * 1024, 180 * 1024,
             5 * MiB, 90 * MiB),
        Conn("10.0.0.5:43212", "10.0.0.12:6379", "ESTABLISHED", 4 * 1024, 2 * 1024),
        Conn("0.0.0.0:8080", "0.0.0.0:*", "LISTEN", 0, 0))
    udp: int = 1
    unix: int = 3
    cpu_wave: float = 0.0  # 0..1: CPU swings by this share around its mean (for screenshots)
    self_cpu: float = 0.8  # perftui's own CPU %, in `self` frames on the perftui stream
    caps_missing: tuple[tuple[str, str], ...] = ()  # (cap, why) the procfs probe lacks
    gone: bool = False  # end with a `gone` frame from procfs
    exit_code: int | None = None  # end with an app `exit` frame
    extra_probes: tuple[tuple[str, str, str], ...] = field(default=())  # (name, state, msg)
    ebpf: EbpfGen | None = None  # also an ebpf stream

    @property
    def cpu_total(self) -> float:
        return self.cpu_user + self.cpu_system

    def cpu_factor(self, i: int) -> float:
        """CPU in the interval ending at sample i, relative to the mean (1.0 without a wave)."""
        return 1.0 + self.cpu_wave * math.sin(i / 4) * math.sin(i / 17 + 1)

    def cpu_seconds(self, i: int) -> float:
        """Cumulative share-weighted seconds: sum of cpu_factor over samples 1..i."""
        return sum(self.cpu_factor(k) for k in range(1, i + 1)) * self.interval


def _hello(cfg: GenConfig, ts: float) -> Frame:
    caps = {c: {"ok": True, "why": ""} for c in ("cpu", "threads", "mem", "io", "fd", "sockets")}
    for cap, why in cfg.caps_missing:
        caps[cap] = {"ok": False, "why": why}
    return {"k": "hello", "ts": ts, "seq": 0, "schema": SCHEMA_VERSION, "probe": "procfs",
            "version": "0.1.0", "pid": cfg.pid, "host": "testhost", "interval": cfg.interval,
            "caps": caps}


def sample(cfg: GenConfig, i: int, seq: int) -> Frame:
    """The i-th sample: every counter is rate * elapsed, so derived rates are exact."""
    t = i * cfg.interval
    busy = cfg.cpu_seconds(i) if cfg.cpu_wave else t
    cpu_s = (cfg.cpu_user * busy / 100, cfg.cpu_system * busy / 100)
    threads = [[th.tid, th.name, th.state, cpu_s[0] * th.share, cpu_s[1] * th.share,
                th.ctx_per_s * i * cfg.interval * 0.75, th.ctx_per_s * i * cfg.interval * 0.25,
                th.tid % 2] for th in cfg.threads]
    rss = cfg.rss0 + int(cfg.rss_growth_per_s * t)
    frame: Frame = {
        "k": "sample", "ts": cfg.t0 + t, "seq": seq, "state": "R",
        "cpu": list(cpu_s), "threads": threads,
        "mem": {"rss": rss, "vms": cfg.vms + int(cfg.rss_growth_per_s * t),
                "uss": int(rss * cfg.uss_share), "pss": int(rss * cfg.pss_share), "swap": 0,
                "minflt": cfg.minflt_per_s * i, "majflt": cfg.majflt_per_s * i},
        "fd": {"count": len(cfg.files) + cfg.sockets + 3},
        "net": {"tcp": [[c.local, c.remote, c.state, 9000 + n, c.sent0 + c.sent_per_s * i,
                         c.recv0 + c.recv_per_s * i] for n, c in enumerate(cfg.conns)],
                "udp": cfg.udp, "unix": cfg.unix, "other": 0},
    }
    if not any(cap == "io" for cap, _ in cfg.caps_missing):
        frame["io"] = {"rchar": cfg.rchar_per_s * i, "wchar": cfg.wchar_per_s * i,
                       "syscr": cfg.syscr_per_s * i, "syscw": cfg.syscw_per_s * i,
                       "read_bytes": cfg.read_bytes_per_s * i,
                       "write_bytes": cfg.write_bytes_per_s * i, "cancelled_write_bytes": 0}
    if i % 10 == 0:
        files = [[0, "/dev/null", 0], [1, "pipe:[31337]", None], [2, "/dev/pts/3", None]]
        files += [[fd, path, pos + 4096 * i] for fd, path, pos in cfg.files]
        frame["fd"]["files"] = files
    return frame


def ebpf_hello(cfg: GenConfig, gen: EbpfGen) -> list[Frame]:
    """The ebpf stream's ``hello`` and ``caps`` frames."""
    names = ("syscalls", "latency", "errors", "files", "net")
    ok = {c: {"ok": gen.source == "bpf" or c == "syscalls", "why": ""} for c in names}
    return [{"k": "hello", "ts": cfg.t0, "seq": 0, "schema": SCHEMA_VERSION, "probe": "ebpf",
             "version": "0.1.0", "pid": cfg.pid, "host": "testhost", "interval": cfg.interval,
             "caps": {c: {"ok": False, "why": "compiling"} for c in names}, "source": None,
             "detail": "full"},
            {"k": "caps", "ts": cfg.t0, "seq": 1, "caps": ok, "source": gen.source,
             "detail": "full", "buckets": 40, "startup_s": 0.3}]


def ebpf_sys(cfg: GenConfig, gen: EbpfGen, i: int, seq: int) -> Frame:
    """The i-th ``sys`` frame: counters are rate * elapsed seconds, names interned."""
    t = i * cfg.interval
    n = len(gen.syscalls)
    frame: Frame = {
        "k": "sys", "ts": cfg.t0 + t, "seq": seq, "lat_every": 1,
        "calls": {k: int(s.per_s * t) for k, s in enumerate(gen.syscalls)},
        "lat": {k: [int(dict(s.lat).get(b, 0) * t) for b in range(max(b for b, _ in s.lat) + 1)]
                for k, s in enumerate(gen.syscalls) if s.lat},
        "errors": {k: {e: int(r * t) for e, r in s.errors}
                   for k, s in enumerate(gen.syscalls) if s.errors},
        "files": [[n + k, int(rb * t), int(wb * t), int(r * t), int(w * t)]
                  for k, (_, rb, wb, r, w) in enumerate(gen.files)],
        "conns": [[cid, kind, local, remote, state or None, int(s * t), int(r * t), 0, 0,
                   None, None] for cid, kind, local, remote, state, s, r in gen.conns]}
    if i == 0:
        frame["strs"] = {k: s.name for k, s in enumerate(gen.syscalls)}
        frame["strs"].update({n + k: f[0] for k, f in enumerate(gen.files)})
    if gen.source != "bpf":
        frame = {k: v for k, v in frame.items() if k in ("k", "ts", "seq", "calls", "strs")}
    return frame


def iter_frames(cfg: GenConfig = GenConfig()) -> Iterator[tuple[str, Frame]]:
    seq = 0
    t0 = cfg.t0
    yield "procfs", _hello(cfg, t0)
    yield "procfs", {"k": "meta", "ts": t0, "seq": 1, "pid": cfg.pid, "ppid": 1,
                     "name": cfg.cmdline[0], "cmdline": list(cfg.cmdline),
                     "exe": "/usr/bin/" + cfg.cmdline[0], "user": cfg.user, "uid": 1000,
                     "start_time": t0 - cfg.uptime0}
    yield "perftui", {"k": "probe", "ts": t0, "seq": 0, "name": "procfs", "state": "live",
                      "msg": ""}
    for app_seq, (name, state, msg) in enumerate(cfg.extra_probes, start=1):
        yield "perftui", {"k": "probe", "ts": t0, "seq": app_seq, "name": name,
                          "state": state, "msg": msg}
    if cfg.ebpf is not None:
        for f in ebpf_hello(cfg, cfg.ebpf):
            yield "ebpf", f
    seq = 2
    for i in range(cfg.samples):
        yield "procfs", sample(cfg, i, seq)
        if cfg.ebpf is not None:
            yield "ebpf", ebpf_sys(cfg, cfg.ebpf, i, seq)
        seq += 1
        t = i * cfg.interval
        # perftui's own CPU, as a counter (seconds) like every other counter on the wire.
        self_s = cfg.self_cpu * t / 100
        yield "perftui", {"k": "self", "ts": t0 + t, "seq": 100 + i,
                          "cpu": [self_s * 0.75, self_s * 0.25], "probes": {}}
    end = t0 + cfg.samples * cfg.interval
    if cfg.gone:
        yield "procfs", {"k": "gone", "ts": end, "seq": seq, "reason": "exited"}
    if cfg.exit_code is not None:
        yield "perftui", {"k": "exit", "ts": end, "seq": 99_999, "code": cfg.exit_code,
                          "signal": None}


def frames(cfg: GenConfig = GenConfig()) -> list[tuple[str, Frame]]:
    return list(iter_frames(cfg))


class PushSource:
    """A Source the test drives: frames go in when the test pushes them (on the app's loop)."""

    def __init__(self, initial: list[tuple[str, Frame]] | None = None,
                 interval: float = 1.0) -> None:
        self._initial = list(initial or [])
        self._interval = interval
        self._sink: Any = None
        self.intervals: list[float] = []  # every set_interval call, in order
        self.stopped = False

    @property
    def description(self) -> str:
        return "frames pushed by a test"

    @property
    def interval(self) -> float:
        return self._interval

    @property
    def live(self) -> bool:
        return False

    def start(self, sink: Any) -> None:
        self._sink = sink
        for stream, frame in self._initial:
            self.push(stream, frame)

    def push(self, stream: str, frame: Frame) -> None:
        self._sink(stream, msgpack.packb(frame, use_bin_type=True), frame)

    def set_interval(self, seconds: float) -> None:
        self.intervals.append(seconds)
        self._interval = seconds

    def command(self, probe: str, line: str) -> str | None:
        return "frames pushed by a test: no probe to command"

    def add_probe(self, spec: Any) -> str | None:
        return "frames pushed by a test: no probe can be started"

    def stop(self) -> None:
        self.stopped = True
