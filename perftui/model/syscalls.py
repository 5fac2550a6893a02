"""What the ``ebpf`` stream (or its ``perfcount`` twin) says: per-syscall counts, latency and
errors, bytes per file and per connection.

Every counter on the wire is cumulative since the probe attached, so a rate is the difference
between two ``sys`` frames over their time apart, and a total is the latest counter.  A new
``hello`` is a new probe run: counters and interned strings start over, the totals seen so far
are kept (a restart must not make the pane go blank).
"""

from __future__ import annotations

import errno
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from perftui.frames import Frame
from perftui.model.peers import UNKNOWN, PeerTotals, peer_of, port
from perftui.model.series import Series, rate
from perftui.model.sysextra import SysExtra
from perftui.model.systhreads import ThreadSplit

BUCKETS = 40
# "Many small reads": reads averaging under a page, more than a thousand a second.  Below a
# page each read() is mostly syscall overhead; at that pace buffering would save real CPU.
SMALL_READ_BYTES = 4096
SMALL_READ_RATE = 1000.0
# (ts, calls and errors by syscall, socket bytes sent and received, bytes by peer)
Mark = tuple[float, dict[str, int], dict[str, int], tuple[int, int],
             dict[str, tuple[int, int]]]
RATE_MIN_S = 0.9  # rates span at least this much (a frame's jitter under the 1 s interval)
MAX_CLOSED_CONNS = 256  # closed connections kept for the table; the oldest go first
MAX_RETIRED_CONNS = 16384  # forgotten connections whose figures a report can still find
CLOSED_LINGER_S = 10.0  # a closed connection stays in the live view this long
SOURCE_NAMES = {"bpf": "eBPF", "perf": "perf counters"}


# Calls a percentile needs before it is shown: with fewer, a p99 is just the slowest call.
PERCENTILE_MIN_CALLS = {0.50: 5, 0.95: 20, 0.99: 100}


def shown_quantile_ns(hist: list[int], q: float) -> float | None:
    """``quantile_ns``, or None when the histogram holds too few calls to say it."""
    return quantile_ns(hist, q) if sum(hist) >= PERCENTILE_MIN_CALLS[q] else None


def errno_name(number: int) -> str:
    """``2`` -> ``ENOENT``; a number the stdlib does not know stays a number."""
    return errno.errorcode.get(number, f"errno {number}")


def bucket_range_ns(b: int) -> tuple[float, float | None]:
    """The [low, high) nanoseconds of log2 bucket ``b``; high None for the open last one."""
    if b == 0:
        return 0.0, 1.0
    return float(2 ** (b - 1)), (None if b >= BUCKETS - 1 else float(2 ** b))


def quantile_ns(hist: list[int], q: float) -> float | None:
    """The ``q`` quantile (0..1) of a log2 histogram, in ns.

    Method: find the bucket holding rank ``q * total`` and interpolate linearly between the
    bucket's bounds by how far into the bucket's count that rank falls (so the answer is
    within a factor of 2 of the truth, and exact when calls spread evenly in a bucket).
    Bucket 0 (0 ns) gives 0; the open-ended last bucket gives its lower bound.
    """
    total = sum(hist)
    if total <= 0:
        return None
    rank = q * total
    below = 0
    for b, count in enumerate(hist):
        if count <= 0:
            continue
        if below + count >= rank:
            lo, hi = bucket_range_ns(b)
            if b == 0 or hi is None:
                return lo
            return lo + (rank - below) / count * (hi - lo)
        below += count
    return None  # unreachable with a positive total


@dataclass
class SyscallStat:
    name: str
    calls: int = 0  # since attach (all probe runs)
    errors: dict[int, int] = field(default_factory=dict)  # errno -> count since attach
    lat: list[int] = field(default_factory=list)  # log2 ns buckets
    time_s: float = 0.0
    per_s: float | None = None
    errors_per_s: float | None = None
    base: int = 0  # counts of earlier probe runs
    _wire: int = 0  # this run's counter at the last frame


@dataclass
class FileStat:
    path: str
    read_bytes: int = 0
    write_bytes: int = 0
    reads: int = 0
    writes: int = 0
    read_per_s: float | None = None
    write_per_s: float | None = None
    calls_per_s: float | None = None
    reads_per_s: float | None = None
    avg_read: float | None = None  # bytes per read over the last interval (else all time)
    avg_io: float | None = None  # bytes per call, reads and writes
    late: bool = False  # named from /proc: (part of) it was opened before the probe attached
    mark: tuple[int, int, int, int] = (0, 0, 0, 0)  # the counts when rates were last taken

    @property
    def small_reads(self) -> bool:
        return (self.avg_read is not None and self.avg_read < SMALL_READ_BYTES
                and (self.reads_per_s or 0.0) > SMALL_READ_RATE)


@dataclass
class ConnStat:
    id: int
    kind: str
    local: str
    remote: str
    state: str
    sent: int = 0
    recv: int = 0
    sent_per_s: float | None = None
    recv_per_s: float | None = None
    closed: bool = False
    closed_ts: float | None = None
    sends: int = 0  # calls that moved bytes (for findings: a chatty protocol)
    recvs: int = 0
    peer: tuple[str, str] | None = None  # (name, role) once its addresses are known
    mark: tuple[int, int] = (0, 0)  # sent, received when rates were last taken


@dataclass
class SyscallModel:
    history: int = 3600
    stream: str = ""  # the stream feeding it ("ebpf", "perfcount")
    source: str | None = None  # "bpf", "perf", None (nothing can count, or not decided)
    caps: dict[str, dict[str, Any]] = field(default_factory=dict)
    detail: str | None = None  # "full" or "counts" (the probe's --detail)
    lat_every: int = 1
    frames: int = 0  # sys frames folded in
    syscalls: dict[str, SyscallStat] = field(default_factory=dict)
    files: dict[str, FileStat] = field(default_factory=dict)
    conns: dict[tuple[int, int], ConnStat] = field(default_factory=dict)  # (run, id)
    iosize: dict[str, list[int]] = field(default_factory=dict)
    cwd: str | None = None  # the target's working directory, as the eBPF probe follows it
    # TCP bytes of every connection since the stream began, closed ones included (the
    # table above forgets old closed connections; these totals never do).
    tcp_sent: int = 0
    tcp_recv: int = 0
    sock_sent: int = 0  # ...and of every socket (UDP, unix too), for the Network pane's rates
    sock_recv: int = 0
    sent_per_s: float | None = None
    recv_per_s: float | None = None
    drops: dict[str, int] = field(default_factory=dict)
    # Bytes by peer (perftui.model.peers), every connection since the stream began.
    peers: dict[str, PeerTotals] = field(default_factory=dict)
    listening: set[int] = field(default_factory=set)  # TCP ports the target listens on
    _retired_peers: dict[str, PeerTotals] = field(default_factory=dict)  # forgotten conns
    # The last figures of forgotten TCP connections by (local, remote): a report names the
    # ones sock_diag saw with what the probe counted (a frame can close thousands at once).
    retired_conns: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    total_per_s: Series = field(init=False)
    threads: ThreadSplit = field(default_factory=ThreadSplit)  # per thread, per syscall
    extra: SysExtra = field(default_factory=SysExtra)  # lookups, timeouts, futexes
    _strs: dict[int, str] = field(default_factory=dict)
    _run: int = 0
    _run_ts: float | None = None  # when this probe run started counting
    # (ts, calls and errors by syscall name, socket totals): where rates are measured from.
    _marks: deque[Mark] = field(default_factory=deque)
    _last_ts: float | None = None
    _rows_ts: float | None = None  # when the per-file and per-connection rates were taken

    def __post_init__(self) -> None:
        self.total_per_s = Series(self.history)

    @property
    def last_frame_ts(self) -> float | None:
        """When the counters of the newest frame were read (None: none yet this run)."""
        return self._last_ts

    @property
    def counting_since(self) -> float | None:
        """When this probe run's counters started (its attach)."""
        return self._run_ts

    def apply(self, stream: str, frame: Frame) -> None:
        self.stream = stream
        strs = frame.get("strs")
        if isinstance(strs, dict):
            self._strs.update({int(k): str(v) for k, v in strs.items()})
        kind = frame.get("k")
        if kind == "hello":
            self._new_run(frame)
        elif kind == "caps":
            self.source = frame.get("source")
            self.caps = dict(frame.get("caps") or {})
            self.detail = frame.get("detail", self.detail)
            if isinstance(frame.get("ts"), (int, float)):
                self._run_ts = float(frame["ts"])
                self._mark(self._run_ts)  # the counts start here (attached)
        elif kind == "sys":
            self._apply_sys(frame)

    def _new_run(self, frame: Frame) -> None:
        self._mark(float(frame["ts"]) if isinstance(frame.get("ts"), (int, float)) else None)
        self._run += 1
        self._strs = {int(k): str(v) for k, v in (frame.get("strs") or {}).items()}
        self._last_ts = None
        self._run_ts = float(frame["ts"]) if isinstance(frame.get("ts"), (int, float)) else None
        self.source = frame.get("source")
        self.caps = dict(frame.get("caps") or {})
        self.detail = frame.get("detail")
        for s in self.syscalls.values():
            s.base, s._wire = s.calls, 0
        self.threads.new_run()
        self.extra.new_run()

    def _name(self, sid: Any) -> str:
        return self._strs.get(int(sid), f"#{sid}")

    def _apply_sys(self, frame: Frame) -> None:
        ts = float(frame.get("measured_ts") or frame["ts"])  # (a recording's baseline)
        dt = ts - self._last_ts if self._last_ts is not None else 0.0
        self.frames += 1
        self.lat_every = int(frame.get("lat_every") or 1)
        self.drops = dict(frame.get("drops") or {})
        self._apply_calls(ts, dt, frame)
        # Per-row rates over at least RATE_MIN_S, like the syscall rates: the last frame
        # comes moments after the one before it (the target's exit).
        span = ts - (self._rows_ts if self._rows_ts is not None else self._run_ts or ts)
        span = span if span >= RATE_MIN_S else 0.0
        self._apply_files(span, frame.get("files") or [])
        self._apply_conns(span, frame.get("conns") or [])
        if span:
            self._rows_ts = ts
        self.peers = self._peer_totals()
        self._rates(ts)
        self.iosize = {k: list(v) for k, v in (frame.get("iosize") or {}).items()}
        if isinstance(frame.get("cwd"), str):
            self.cwd = frame["cwd"]
        self.threads.apply(ts, self._last_ts if self._last_ts is not None else self._run_ts,
                           frame.get("bythread") or [], self._name)
        self.extra.apply(frame, self._name)
        self._last_ts = ts

    def _mark(self, ts: float | None) -> None:
        """Counting (re)starts at ``ts``: rates are measured from here until a later mark."""
        self._marks.clear()
        if ts is not None:
            self._marks.append(self._reading(ts))

    def _apply_calls(self, ts: float, dt: float, frame: Frame) -> None:
        for sid, count in (frame.get("calls") or {}).items():
            name = self._name(sid)
            s = self.syscalls.get(name) or self.syscalls.setdefault(name, SyscallStat(name))
            s._wire = int(count)
            s.calls = s.base + s._wire
        for sid, buckets in (frame.get("lat") or {}).items():
            self.syscalls.setdefault(self._name(sid), SyscallStat(self._name(sid))).lat = \
                [int(c) for c in buckets]
        for sid, secs in (frame.get("time") or {}).items():
            if self._name(sid) in self.syscalls:
                self.syscalls[self._name(sid)].time_s = float(secs)
        for sid, by_errno in (frame.get("errors") or {}).items():
            s = self.syscalls.setdefault(self._name(sid), SyscallStat(self._name(sid)))
            s.errors = {int(e): int(c) for e, c in by_errno.items()}

    def _rates(self, ts: float) -> None:
        """Calls and errors per second since the newest mark at least RATE_MIN_S old: a
        frame that comes soon after the one before (the last one, at the target's exit)
        would make one exit_group read 9.3/s."""
        ref = None
        while self._marks and ts - self._marks[0][0] >= RATE_MIN_S:
            ref = self._marks.popleft()
        if ref is not None:
            self._marks.appendleft(ref)  # still the reference until a newer one is old enough
            t0, calls0, errors0, tcp0, peers0 = ref
            span = ts - t0
            total = 0.0
            for name, s in self.syscalls.items():
                s.per_s = rate(calls0.get(name, 0), s.calls, span)
                s.errors_per_s = rate(errors0.get(name, 0), sum(s.errors.values()), span)
                total += s.per_s or 0.0
            self.total_per_s.append(ts, total)
            # Every socket byte, connections that opened and closed between two frames too
            # (their own rows never get a rate).
            self.sent_per_s = rate(tcp0[0], self.sock_sent, span)
            self.recv_per_s = rate(tcp0[1], self.sock_recv, span)
            for name, p in self.peers.items():
                sent0, recv0 = peers0.get(name, (0, 0))
                p.sent_per_s, p.recv_per_s = rate(sent0, p.sent, span), rate(recv0, p.recv, span)
        self._marks.append(self._reading(ts))

    def _reading(self, ts: float) -> Mark:
        return (ts, {n: s.calls for n, s in self.syscalls.items()},
                {n: sum(s.errors.values()) for n, s in self.syscalls.items()},
                (self.sock_sent, self.sock_recv),
                {n: (p.sent, p.recv) for n, p in self.peers.items()})

    def _apply_files(self, span: float, rows: list[list[Any]]) -> None:
        """Fold the files' counters in; with a ``span`` (seconds since the rates were last
        taken, 0: not yet), take their rates."""
        for sid, rbytes, wbytes, reads, writes, *late in rows:
            path = self._name(sid)
            f = self.files.get(path) or self.files.setdefault(path, FileStat(path))
            f.late = bool(late and late[0])
            f.read_bytes, f.write_bytes, f.reads, f.writes = (
                int(rbytes), int(wbytes), int(reads), int(writes))
        if not span:
            return
        for f in self.files.values():
            now = (f.read_bytes, f.write_bytes, f.reads, f.writes)
            d_rb, d_wb, d_r, d_w = (a - b for a, b in zip(now, f.mark, strict=True))
            f.mark = now
            if min(d_rb, d_wb, d_r, d_w) < 0:  # a new probe run: counting starts over
                continue
            f.read_per_s, f.write_per_s = d_rb / span, d_wb / span
            f.reads_per_s, f.calls_per_s = d_r / span, (d_r + d_w) / span
            # The last span says what the program does now; all time when it was idle.
            f.avg_read = d_rb / d_r if d_r else (
                f.read_bytes / f.reads if f.reads else None)
            calls = d_r + d_w
            f.avg_io = (d_rb + d_wb) / calls if calls else (
                (f.read_bytes + f.write_bytes) / (f.reads + f.writes)
                if f.reads + f.writes else None)

    def _apply_conns(self, span: float, rows: list[list[Any]]) -> None:
        seen: set[tuple[int, int]] = set()
        for cid, kind, local, remote, state, sent, recv, *_rest in rows:
            key = (self._run, int(cid))
            seen.add(key)
            c = self.conns.get(key)
            if c is None:
                c = self.conns[key] = ConnStat(int(cid), str(kind), str(local or "?"),
                                               str(remote or "?"), str(state or ""))
            d_sent, d_recv = max(0, int(sent) - c.sent), max(0, int(recv) - c.recv)
            self.sock_sent, self.sock_recv = self.sock_sent + d_sent, self.sock_recv + d_recv
            if c.kind == "tcp":
                self.tcp_sent += d_sent
                self.tcp_recv += d_recv
            c.sent, c.recv = int(sent), int(recv)
            c.local, c.remote = str(local or c.local), str(remote or c.remote)
            c.state = str(state or c.state)
            # _rest: [sends, receives, opened, closed]
            if len(_rest) >= 2:
                c.sends, c.recvs = int(_rest[0] or 0), int(_rest[1] or 0)
            c.closed = len(_rest) >= 4 and _rest[3] is not None
            if c.closed and c.closed_ts is None:
                c.closed_ts = float(_rest[3]) if isinstance(_rest[3], (int, float)) \
                    else self._last_ts
        for key, c in self.conns.items():
            if key not in seen:  # closed and dropped by the probe: nothing moves any more
                c.closed, c.sent_per_s, c.recv_per_s = True, 0.0, 0.0
                c.closed_ts = self._last_ts if c.closed_ts is None else c.closed_ts
            elif span:
                c.sent_per_s = rate(c.mark[0], c.sent, span)
                c.recv_per_s = rate(c.mark[1], c.recv, span)
                c.mark = (c.sent, c.recv)
        closed = [k for k, c in self.conns.items() if c.closed]
        for key in closed[: max(0, len(closed) - MAX_CLOSED_CONNS)]:
            self._retire(key)
        # Closed ones leave the live view after a while (their bytes stay in the totals).
        for key in [k for k, c in self.conns.items() if c.closed_ts is not None
                    and self._last_ts is not None
                    and self._last_ts - c.closed_ts > CLOSED_LINGER_S]:
            self._retire(key)

    def _peer(self, c: ConnStat) -> tuple[str, str]:
        """Its peer, decided once both addresses are known (until then, for now)."""
        if c.peer is not None:
            return c.peer
        # (an address is known once it has a port: "socket:[4924047]" is a socket the
        # probe has not named yet, and its remote alone made a server's client a peer)
        known = c.kind not in ("tcp", "udp") or (
            port(c.local) is not None and port(c.remote) is not None)
        peer = peer_of(c.kind, c.local, c.remote, self.listening) if known \
            else (UNKNOWN, "client")
        if known:
            c.peer = peer
        return peer

    def learn_listening(self, ports: set[int]) -> None:
        """Ports the target listens on (procfs's socket table).  A connection decided a
        client before its listener was seen (a server whose ports are in the ephemeral
        range, accepting before the first sample) is decided again."""
        new = ports - self.listening
        if not new:
            return
        self.listening |= new
        for c in self.conns.values():
            if c.peer is not None and c.peer[1] == "client":
                c.peer = None
        self.peers = self._peer_totals()

    def _retire(self, key: tuple[int, int]) -> None:
        """Forget a closed connection; its bytes stay in its peer's totals."""
        c = self.conns.pop(key)
        name, role = self._peer(c)
        p = self._retired_peers.get(name) or self._retired_peers.setdefault(
            name, PeerTotals(name, role))
        p.connections += 1
        p.sent += c.sent
        p.recv += c.recv
        if c.kind == "tcp":
            self.retired_conns.pop((c.local, c.remote), None)  # (newest last)
            self.retired_conns[c.local, c.remote] = (c.sent, c.recv)
            if len(self.retired_conns) > MAX_RETIRED_CONNS:
                del self.retired_conns[next(iter(self.retired_conns))]

    def _peer_totals(self) -> dict[str, PeerTotals]:
        out = {n: PeerTotals(n, p.role, p.connections, 0, p.sent, p.recv)
               for n, p in self._retired_peers.items()}
        for c in self.conns.values():
            name, role = self._peer(c)
            p = out.get(name) or out.setdefault(name, PeerTotals(name, role))
            p.connections += 1
            p.open += not c.closed
            p.sent += c.sent
            p.recv += c.recv
        old = self.peers
        for name, p in out.items():  # rates stay until the next measurement
            if name in old:
                p.sent_per_s, p.recv_per_s = old[name].sent_per_s, old[name].recv_per_s
        return out

    @property
    def per_syscall(self) -> bool:
        """True once a source counts calls per syscall (bpf or perf)."""
        return self.source in SOURCE_NAMES
