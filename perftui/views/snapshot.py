"""Frozen views of the model, one per pane, built once per refresh and handed to the UI.

The UI never reads the model's mutable state directly: it gets a ``Snapshot`` and draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from perftui.frames import STALE
from perftui.model.growth import Growth, sustained_growth
from perftui.model.model import Model
from perftui.model.peers import peer_of, port
from perftui.model.probes import ProbeStatus
from perftui.model.series import slope
from perftui.model.systhreads import WINDOW_S as THREAD_WINDOW_S
from perftui.views.findings import FindingsView
from perftui.views.syscalls import (
    FileRateRow,
    SyscallRow,
    file_rows,
    source_label,
    syscall_rows,
    thread_note,
)
from perftui.views.tree import TreeView, tree_view

GROWTH_WINDOW_S = 60.0
IO_URING_FD = "anon_inode:[io_uring]"  # /proc/PID/fd's link of an io_uring instance
HISTORY_POINTS = 240
SELF_CPU_WINDOW_S = 10.0  # enough for the widest chart at 200 columns


@dataclass(frozen=True)
class ProbeView:
    name: str
    state: str
    msg: str
    missing: tuple[tuple[str, str], ...]  # (capability, why)
    lost_frames: int


@dataclass(frozen=True)
class HeaderView:
    pid: int | None
    command: str
    user: str
    state: str
    uptime_s: float | None
    threads: int
    probes: tuple[ProbeView, ...]
    self_cpu_percent: float | None
    status: str  # "running", "exited", "held" (a started command, before its exec)...
    exit_detail: str  # "exit status 3", "killed by signal 9", ""
    launch_note: str = ""  # a started command released before every probe was ready: why
    processes: int | None = None  # running in the followed tree (None: the target alone)
    focus: str = ""  # "pid 4242 gzip (exit 0)": the process of the tree the panes show


@dataclass(frozen=True)
class ThreadRow:
    tid: int
    name: str
    state: str
    cpu_percent: float | None
    user_percent: float | None
    system_percent: float | None
    ctx_per_s: float | None
    last_cpu: int
    py_name: str | None = None  # the Python thread's name, when py-spy has named this tid


@dataclass(frozen=True)
class CpuView:
    percent: float | None  # of one core: 200% is two cores busy
    user_percent: float | None
    system_percent: float | None
    history: tuple[float, ...]
    threads: tuple[ThreadRow, ...]  # busiest first
    cores: int | None = None  # the host's CPU count, when the probe said
    tree_percent: float | None = None  # the target and its running descendants (followed)
    scope_note: str = ""  # a picked process: what of the pane is the target's only


@dataclass(frozen=True)
class MemoryView:
    rss: int | None
    uss: int | None
    pss: int | None
    swap: int | None
    vms: int | None
    rss_history: tuple[float, ...]
    growth_bytes_per_s: float | None  # over the last GROWTH_WINDOW_S
    minflt_per_s: float | None
    majflt_per_s: float | None
    warning: str  # "" when nothing to warn about
    growth_span_s: float | None = None  # the span that rate covers: under a minute at first
    grown_bytes: float | None = None  # RSS now minus at the start of that span
    scope_note: str = ""  # a picked process: what of the pane is the target's only


@dataclass(frozen=True)
class FileRow:
    fd: int
    path: str
    pos: int | None


@dataclass(frozen=True)
class FileIOView:
    available: bool
    why: str
    read_per_s: float | None  # logical bytes (rchar)
    write_per_s: float | None  # logical bytes (wchar)
    storage_read_per_s: float | None  # bytes that reached the block layer
    storage_write_per_s: float | None
    read_calls_per_s: float | None
    write_calls_per_s: float | None
    read_history: tuple[float, ...]
    write_history: tuple[float, ...]
    fd_count: int | None
    files: tuple[FileRow, ...]  # regular files only, by fd
    rated: tuple[FileRateRow, ...] = ()  # per path from eBPF, busiest first; () without it
    rated_source: str = ""  # what counted ``rated``
    io_uring: bool = False  # the target has an io_uring: its I/O bypasses the syscalls seen
    scope_note: str = ""  # a picked process: what of the pane is the target's only


@dataclass(frozen=True)
class ConnRow:
    local: str
    remote: str
    state: str
    sent_per_s: float | None
    recv_per_s: float | None
    sent_total: int | None  # the kernel's counter for the socket's whole life
    recv_total: int | None  # (from eBPF: bytes since perftui attached)
    kind: str = "tcp"


@dataclass(frozen=True)
class PeerRow:
    """Connections rolled up by peer (perftui.model.peers): a server's clients by port, a
    client's connections by remote endpoint."""

    name: str
    role: str  # "server", "client", "local"
    connections: int  # seen since attach, closed ones included
    open: int
    sent_per_s: float | None
    recv_per_s: float | None
    sent_total: int
    recv_total: int


@dataclass(frozen=True)
class NetView:
    available: bool
    why: str
    sent_per_s: float | None
    recv_per_s: float | None
    sent_history: tuple[float, ...]
    recv_history: tuple[float, ...]
    connections: tuple[ConnRow, ...]  # busiest first
    tcp: int | None  # open TCP sockets (rows may also hold recently closed ones)
    udp: int | None
    unix: int | None
    source: str = "/proc (sock_diag)"  # what the connection rows come from
    peers: tuple[PeerRow, ...] = ()  # busiest first


@dataclass(frozen=True)
class SyscallView:
    source: str  # what feeds the pane
    read_calls_per_s: float | None
    write_calls_per_s: float | None
    ctx_per_s: float | None
    calls_history: tuple[float, ...]
    note: str  # only when no source counts per syscall
    rows: tuple[SyscallRow, ...] = ()  # busiest first
    total_per_s: float | None = None  # every syscall, when counted per syscall
    lat_every: int = 1  # > 1: latency sampled (one call in K timed)
    threads_note: str = ""  # why rows have no per-thread split, or only calls
    threads_window_s: float = THREAD_WINDOW_S  # what the rows' per-thread figures cover
    scope_note: str = ""  # a picked process: what of the pane is the target's only


@dataclass(frozen=True)
class FocusView:
    """The picked process, for the header and the panes' titles."""

    pid: int
    command: str
    status: str  # "running", "exit 0", "killed by signal 9", ...

    @property
    def label(self) -> str:
        """``pid 380 python3 pool_hot.py``: the program and its first argument, by base
        name (a header line has room for little more)."""
        words = self.command.split()
        shown = [w.rsplit("/", 1)[-1] or w for w in words[:1]]
        shown += [w.rsplit("/", 1)[-1] or w for w in words[1:2] if not w.startswith("-")]
        return f"pid {self.pid} {' '.join(shown)}".strip()


@dataclass(frozen=True)
class Snapshot:
    ts: float | None
    frames: int
    header: HeaderView
    cpu: CpuView
    memory: MemoryView
    fileio: FileIOView
    net: NetView
    syscalls: SyscallView
    tree: TreeView = field(default_factory=lambda: TreeView(False))
    focus: FocusView | None = None  # the panes show this process of the tree (picked in T)
    findings: FindingsView = field(default_factory=FindingsView)


def build_snapshot(model: Model) -> Snapshot:
    return Snapshot(model.now, model.frames, _header(model), _cpu(model), _memory(model),
                    _fileio(model), _net(model), _syscalls(model), tree_view(model))


def _probe_view(p: ProbeStatus, model: Model) -> ProbeView:
    quiet = p.silence(model.now, model.interval)
    if quiet is not None:  # a probe that hangs must not look live
        return ProbeView(p.name, STALE, f"no data for {quiet:.0f} s",
                         tuple(sorted(p.missing().items())), p.lost_frames)
    return ProbeView(p.name, p.state, p.msg, tuple(sorted(p.missing().items())), p.lost_frames)


def _exit_detail(model: Model) -> tuple[str, str]:
    ex = model.exit
    if ex is None:
        return "running", ""
    if ex.signal:
        return "exited", f"killed by signal {ex.signal}"
    if ex.code is not None:
        return "exited", f"exit status {ex.code}"
    return ("zombie" if ex.reason == "zombie" else "exited"), ""


def _header(model: Model) -> HeaderView:
    meta = model.process.meta
    cmd = " ".join(str(a) for a in meta.get("cmdline") or []) or str(meta.get("name", ""))
    start = meta.get("start_time")
    uptime = model.now - float(start) if start is not None and model.now is not None else None
    status, detail = _exit_detail(model)
    if model.held() and status == "running":
        status = "held"  # perftui's wrapper: the command runs once the probes watch it
    note = str((model.launch or {}).get("msg") or "")
    return HeaderView(
        pid=model.pid, command=cmd, user=str(meta.get("user", "")),
        state=model.process.state, uptime_s=uptime, threads=len(model.process.threads),
        probes=tuple(_probe_view(p, model) for p in model.probes.values()),
        self_cpu_percent=_self_cpu(model), status=status, exit_detail=detail,
        launch_note=note, processes=_processes(model))


def _processes(model: Model) -> int | None:
    """Processes of the followed tree running now (the target included); None when only
    the target is watched."""
    if not model.tree.seen:
        return None
    running = sum(1 for p in model.tree.procs.values() if p.alive and p.pid != model.pid)
    return running + (model.exit is None)


def _self_cpu(model: Model) -> float | None:
    """perftui's own CPU over the last SELF_CPU_WINDOW_S: a sampler's child process is
    counted when it is reaped, all at once, so one interval alone jumps between 1% and 10%."""
    if model.now is None:
        return None
    start = model.now - SELF_CPU_WINDOW_S
    recent = [v for t, v in model.self_cpu.since(start) if t > start]  # 10 s, not 11 points
    return sum(recent) / len(recent) if recent else None


def _cpu(model: Model) -> CpuView:
    proc = model.process
    py_names = model.pystacks.names  # from py-spy: "MainThread", "hot-worker", ...
    rows = [ThreadRow(t.tid, t.name, t.state, t.cpu_percent, t.user_percent, t.system_percent,
                      t.ctx_per_s, t.last_cpu, py_names.get(t.tid) or None)
            for t in proc.threads.values()]
    rows.sort(key=lambda r: (-(r.cpu_percent or 0.0), r.tid))
    own = proc.rates.get("cpu")
    tree = None
    if model.tree.seen:  # the descendants' CPU over their last sample, and the target's
        kids = [p.cpu_percent for p in model.tree.procs.values()
                if p.alive and p.pid != model.pid and p.cpu_percent is not None]
        tree = (own or 0.0) + sum(kids)
    return CpuView(own, proc.rates.get("cpu_user"), proc.rates.get("cpu_system"),
                   _hist(model, "cpu"), tuple(rows), model.ncpu, tree)


def _hist(model: Model, name: str) -> tuple[float, ...]:
    series = model.process.series.get(name)
    return series.values(HISTORY_POINTS) if series is not None else ()


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, (int, float)) else None


def _growth_warning(growth: Growth | None) -> str:
    if growth is None:
        return ""
    mib = growth.grown_bytes / 2**20
    per_min = growth.bytes_per_s * 60 / 2**20
    return (f"RSS grew steadily: +{mib:.1f} MiB in {growth.span_s / 60:.0f} min "
            f"({per_min:.1f} MiB/min)")


def _memory(model: Model) -> MemoryView:
    proc = model.process
    rss_series = proc.series.get("rss")
    growth_rate = growth = span = grown = None
    if rss_series is not None and model.now is not None:
        recent = rss_series.since(model.now - GROWTH_WINDOW_S)
        growth_rate = slope(recent)
        growth = sustained_growth(rss_series.points())
        if len(recent) >= 2:
            span, grown = recent[-1][0] - recent[0][0], recent[-1][1] - recent[0][1]
    mem = proc.mem
    return MemoryView(
        rss=_int(mem.get("rss")), uss=_int(mem.get("uss")), pss=_int(mem.get("pss")),
        swap=_int(mem.get("swap")), vms=_int(mem.get("vms")), rss_history=_hist(model, "rss"),
        growth_bytes_per_s=growth_rate, growth_span_s=span, grown_bytes=grown,
        minflt_per_s=proc.rates.get("minflt"),
        majflt_per_s=proc.rates.get("majflt"), warning=_growth_warning(growth))


def _why_missing(model: Model, cap: str) -> str:
    status = model.probes.get("procfs")
    return status.missing().get(cap, "") if status is not None else "no procfs probe"


def _fileio(model: Model) -> FileIOView:
    proc = model.process
    r = proc.rates
    files = tuple(FileRow(f.fd, f.path, f.pos) for f in proc.files if f.path.startswith("/"))
    return FileIOView(
        available=proc.io is not None or proc.samples == 0, why=_why_missing(model, "io"),
        read_per_s=r.get("rchar"), write_per_s=r.get("wchar"),
        storage_read_per_s=r.get("read_bytes"), storage_write_per_s=r.get("write_bytes"),
        read_calls_per_s=r.get("syscr"), write_calls_per_s=r.get("syscw"),
        read_history=_hist(model, "rchar"), write_history=_hist(model, "wchar"),
        fd_count=proc.fd_count, files=files, rated=file_rows(model.sys),
        rated_source=source_label(model.sys) if model.sys.files else "",
        io_uring=any(f.path == IO_URING_FD for f in proc.files))


def _net(model: Model) -> NetView:
    proc = model.process
    rows = [ConnRow(c.local, c.remote, c.state, c.sent_per_s, c.recv_per_s, c.sent, c.recv)
            for c in proc.conns.values()]
    source = "/proc (sock_diag)"
    sent, recv = proc.rates.get("net_sent"), proc.rates.get("net_recv")
    if model.sys.conns or model.sys.peers:
        # eBPF sees every socket's bytes as they move (UDP and unix too), not only TCP's.
        ebpf = [ConnRow(c.local, c.remote, c.state, c.sent_per_s, c.recv_per_s, c.sent,
                        c.recv, c.kind) for c in model.sys.conns.values()]
        # Sockets the probe has not seen move a byte (a listener, a connection made before
        # it attached and idle since) are still open: sock_diag's rows stand for them.  (One
        # the probe saw close is not: sock_diag's row of it is from before the close.)
        seen = {(c.local, c.remote) for c in model.sys.conns.values()}
        unseen = [r for r in rows if (r.local, r.remote) not in seen]
        rows = ebpf + unseen
        source = source_label(model.sys)
        # The probe's socket totals: the rows' own rates miss connections that lived between
        # two frames (a server's short requests: 0 B/s under load otherwise).
        sent, recv = model.sys.sent_per_s, model.sys.recv_per_s
        peers = [PeerRow(p.name, p.role, p.connections, p.open, p.sent_per_s, p.recv_per_s,
                         p.sent, p.recv) for p in model.sys.peers.values()]
        # Open sockets the probe has not seen move a byte: counted open under their peer,
        # with sock_diag's figures (bytes before the attach are not in the probe's totals).
        known = {p.name: i for i, p in enumerate(peers)}
        for extra in _peers_of(unseen, model.sys.listening):
            i = known.get(extra.name)
            if i is None:
                peers.append(extra)
            else:
                peers[i] = replace(peers[i], open=peers[i].open + extra.open)
    else:
        peers = _peers_of(rows, model.sys.listening)
    rows.sort(key=lambda c: (-((c.sent_per_s or 0.0) + (c.recv_per_s or 0.0)), c.local))
    peers.sort(key=lambda p: (-((p.sent_per_s or 0.0) + (p.recv_per_s or 0.0)),
                              -(p.sent_total + p.recv_total), p.name))
    counts = proc.sock_counts
    # Open TCP sockets: sock_diag's count when it ran (eBPF's rows keep closed ones a while)
    tcp = len(proc.conns) if proc.net_seen else sum(
        1 for c in model.sys.conns.values() if c.kind == "tcp" and not c.closed)
    return NetView(
        available=proc.net_seen or proc.samples == 0 or bool(model.sys.conns or peers),
        why=_why_missing(model, "sockets"), sent_per_s=sent, recv_per_s=recv,
        sent_history=_hist(model, "net_sent"), recv_history=_hist(model, "net_recv"),
        connections=tuple(rows), tcp=tcp, udp=_int(counts.get("udp")),
        unix=_int(counts.get("unix")),
        source=source, peers=tuple(peers))


def _peers_of(rows: list[ConnRow], listening: set[int]) -> list[PeerRow]:
    """Peers of the connections open now (sock_diag sees no closed ones)."""
    ports = listening | {n for r in rows if r.state == "LISTEN"
                         and (n := port(r.local)) is not None}
    out: dict[str, PeerRow] = {}
    for r in rows:
        if r.state == "LISTEN":
            continue
        name, role = peer_of(r.kind, r.local, r.remote, ports)
        p = out.get(name)
        out[name] = PeerRow(name, role, (p.connections if p else 0) + 1,
                            (p.open if p else 0) + 1,
                            _add(p.sent_per_s if p else 0.0, r.sent_per_s),
                            _add(p.recv_per_s if p else 0.0, r.recv_per_s),
                            (p.sent_total if p else 0) + (r.sent_total or 0),
                            (p.recv_total if p else 0) + (r.recv_total or 0))
    return list(out.values())


def _add(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b



def _syscalls(model: Model) -> SyscallView:
    r = model.process.rates
    sys = model.sys
    if sys.per_syscall:
        return SyscallView(
            source=source_label(sys), read_calls_per_s=r.get("syscr"),
            write_calls_per_s=r.get("syscw"), ctx_per_s=r.get("ctx"),
            calls_history=sys.total_per_s.values(HISTORY_POINTS), note="",
            rows=syscall_rows(sys, {**model.process.ended_names,
                                    **{t.tid: t.name for t in model.process.threads.values()}}),
            total_per_s=sys.total_per_s.last(), lat_every=sys.lat_every,
            threads_note=thread_note(sys), threads_window_s=sys.threads.span())
    return SyscallView(
        source="/proc (counters)", read_calls_per_s=r.get("syscr"),
        write_calls_per_s=r.get("syscw"), ctx_per_s=r.get("ctx"),
        calls_history=_hist(model, "syscr"),
        note="Per-syscall counts, latency and errors need the eBPF probe: see `perftui doctor`.")
