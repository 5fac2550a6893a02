"""Build, compile and arm the probe's BPF program (probe.bpf.c) for one target."""

from __future__ import annotations

import os
import platform
import struct
from dataclasses import dataclass, field
from importlib import resources

from perftui.probes import tracefs

from .bcc_api import Program
from .bpfmap import Map

NSLOT = 40  # log2 buckets: bucket b >= 1 holds values in [2**(b-1), 2**b); the last is open
FULL = "full"
COUNTS = "counts"

# Offsets of syscall arguments 0 to 4 in the architecture's struct pt_regs: part of the
# ptrace ABI (uapi asm/ptrace.h), identical in every kernel version.
ARG_OFFSETS = {"x86_64": (112, 104, 96, 56, 72), "aarch64": (0, 8, 16, 24, 32)}

# How the program treats each syscall's fd argument (K_* in probe.bpf.c).
K_READ, K_WRITE, K_CLOSE, K_DUP, K_NOSLOT = 1, 2, 3, 4, 5
K_OPEN0, K_OPEN1, K_NEWFD, K_CHDIR, K_FCHDIR = 6, 7, 8, 9, 10
K_XFER01, K_XFER20, K_CLOSERANGE, K_EXEC, K_PAIR0, K_PAIR3 = 11, 12, 13, 14, 15, 16
K_STAT0, K_STAT1 = 17, 18
K_TMO_MS2, K_TMO_MS3, K_TMO_TS0, K_TMO_TS2, K_TMO_TS3, K_TMO_TS4, K_TMO_TV4, K_TMO_CLK = \
    19, 20, 21, 22, 23, 24, 25, 26
K_FUTEX = 27
# Calls that make an fd of a kind (named after the kind when it is closed unread).
NEWFD_KINDS = {
    **dict.fromkeys(("socket", "accept", "accept4"), "socket"),
    **dict.fromkeys(("eventfd", "eventfd2"), "eventfd"),
    **dict.fromkeys(("epoll_create", "epoll_create1"), "epoll"),
    **dict.fromkeys(("signalfd", "signalfd4"), "signalfd"),
    **dict.fromkeys(("inotify_init", "inotify_init1"), "inotify"),
    "timerfd_create": "timerfd", "memfd_create": "memfd", "pidfd_open": "pidfd",
    "io_uring_setup": "io_uring",
    **dict.fromkeys(("pipe", "pipe2"), "pipe"), "socketpair": "socket",
}
FD_KINDS = {
    **dict.fromkeys(("open", "creat"), K_OPEN0),
    **dict.fromkeys(("openat", "openat2"), K_OPEN1),
    **dict.fromkeys(NEWFD_KINDS, K_NEWFD),
    **dict.fromkeys(("pipe", "pipe2"), K_PAIR0), "socketpair": K_PAIR3,
    "chdir": K_CHDIR, "fchdir": K_FCHDIR,
    **dict.fromkeys(("read", "pread64", "readv", "preadv", "preadv2", "recvfrom", "recvmsg"),
                    K_READ),
    **dict.fromkeys(("write", "pwrite64", "writev", "pwritev", "pwritev2", "sendto", "sendmsg"),
                    K_WRITE),
    # A transfer counts on both sides: the file read and the socket (or file) written.
    "sendfile64": K_XFER01, "sendfile": K_XFER01,
    **dict.fromkeys(("splice", "copy_file_range"), K_XFER20),
    "close": K_CLOSE, "close_range": K_CLOSERANGE,
    **dict.fromkeys(("execve", "execveat"), K_EXEC),
    "dup2": K_DUP, "dup3": K_DUP,
    "exit": K_NOSLOT, "exit_group": K_NOSLOT,
    # For findings: path lookups, the timeouts of waits, futexes.
    **dict.fromkeys(("stat", "newstat", "lstat", "newlstat", "access", "readlink"), K_STAT0),
    **dict.fromkeys(("newfstatat", "fstatat64", "statx", "faccessat", "faccessat2",
                     "readlinkat"), K_STAT1),
    "poll": K_TMO_MS2, **dict.fromkeys(("epoll_wait", "epoll_pwait"), K_TMO_MS3),
    "nanosleep": K_TMO_TS0, "ppoll": K_TMO_TS2, "epoll_pwait2": K_TMO_TS3,
    "pselect6": K_TMO_TS4, "select": K_TMO_TV4, "clock_nanosleep": K_TMO_CLK,
    "futex": K_FUTEX,
}
NET_EVENTS = (("sock", "sock_send_length", {"sk", "family", "protocol", "ret", "flags"}),
              ("sock", "sock_recv_length", {"sk", "family", "protocol", "ret", "flags"}),
              ("sock", "inet_sock_set_state", {"skaddr", "oldstate", "newstate", "sport",
                                               "dport", "family", "protocol", "saddr", "daddr",
                                               "saddr_v6", "daddr_v6"}))
SCHED_SWITCH = ("sched", "sched_switch", {"prev_pid"})


@dataclass
class Plan:
    """What to compile, decided before compiling (so the reasons can go in the caps)."""

    tgid: int
    names: dict[int, str]  # syscall number -> name
    detail: str = FULL
    children: bool = False  # follow the descendants too (TREE)
    net: bool = True
    why_not: dict[str, str] = field(default_factory=dict)  # capability -> reason

    @property
    def max_nr(self) -> int:
        top = max(self.names, default=511) + 1
        size = 64
        while size < top:
            size *= 2
        return size


def _has_fields(event: tuple[str, str, set[str]]) -> str | None:
    """None if the tracepoint exists with the fields the program reads, else why not."""
    cat, name, want = event
    have = tracefs.fields(cat, name)
    if not have:
        return f"tracepoint {cat}:{name} not in this kernel"
    missing = want - have
    return f"tracepoint {cat}:{name} lacks {', '.join(sorted(missing))}" if missing else None


def plan(tgid: int, names: dict[int, str], detail: str, children: bool = False) -> Plan:
    p = Plan(tgid, names, detail, children)
    if detail != FULL:
        reason = "off (--detail counts)"
        p.why_not.update(latency=reason, errors=reason, files=reason, net=reason)
        p.net = False
        return p
    if platform.machine() not in ARG_OFFSETS:
        p.why_not["files"] = f"fd arguments not mapped for {platform.machine()}"
    sched = _has_fields(SCHED_SWITCH)
    if sched:
        p.why_not["latency"] = sched  # without it, blocking calls would lose their start
    for event in NET_EVENTS:
        why = _has_fields(event)
        if why:
            p.why_not["net"] = why
            p.net = False
            break
    return p


def cflags(p: Plan) -> list[str]:
    offsets = ARG_OFFSETS.get(platform.machine(), (0, 0, 0, 0, 0))
    flags = [f"-DTGID={p.tgid}", f"-DMAX_NR={p.max_nr}", f"-DNSLOT={NSLOT}",
             *(f"-DARG{i}_OFF={off}" for i, off in enumerate(offsets))]
    if p.children:
        flags += ["-DTREE", f"-DPID_SLOTS={pid_slots()}"]
    if p.detail == FULL and "latency" not in p.why_not:
        flags.append("-DFULL")
        if p.net:
            flags.append("-DNET")
    return flags


PID_MAX_CAP = 4 * 1024 * 1024  # the kernel's own limit on 64-bit (PID_MAX_LIMIT)


def pid_slots() -> int:
    """Slots in the ``tree`` array: the kernel's pid_max (one byte per possible pid)."""
    try:
        with open("/proc/sys/kernel/pid_max") as f:
            return min(PID_MAX_CAP, max(1024, int(f.read())))
    except (OSError, ValueError):
        return PID_MAX_CAP


def descendants(pid: int) -> set[int]:
    """The processes below ``pid`` now, from /proc's ppid fields."""
    parent: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                tail = f.read().rsplit(b")", 1)[1].split()
            parent[int(name)] = int(tail[1])
        except (OSError, IndexError, ValueError):
            continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {c for c, pp in parent.items() if pp in frontier and c not in found}
        found |= frontier
    return found


def source() -> str:
    return resources.files("perftui.probes.ebpf").joinpath("probe.bpf.c").read_text()


class Loaded:
    """The compiled program, attached, with its maps."""

    def __init__(self, p: Plan) -> None:
        self.plan = p
        self.full = "-DFULL" in cflags(p)
        self.net = self.full and p.net
        self.prog = Program(source(), cflags(p))
        try:
            self.counts = Map(self.prog, "counts", percpu=True)
            if self.full:
                self.lat = Map(self.prog, "lat", percpu=True)
                self.nsum = Map(self.prog, "nsum", percpu=True)
                self.errs = Map(self.prog, "errs", percpu=True)
                self.files = Map(self.prog, "files", percpu=True)
                self.fdgen = Map(self.prog, "fdgen")
                self.fdio = Map(self.prog, "fdio")
                self.names = Map(self.prog, "names")
                self.moves = Map(self.prog, "moves")
                self.iosize = Map(self.prog, "iosize", percpu=True)
                self.drops = Map(self.prog, "drops")
                self.config = Map(self.prog, "config")
                self.bythread = Map(self.prog, "bythread")
                self.pathops = Map(self.prog, "pathops")
                self.pathother = Map(self.prog, "pathother", percpu=True)
                self.timeouts = Map(self.prog, "timeouts")
                self.futexes = Map(self.prog, "futexes")
                self._set_fdtop(Map(self.prog, "fdtop"))
                # in TAIL_* order
                self.prog.tail_calls("tails", ["on_close_range", "on_exec", "on_scan"])
                self._arm_fd_kinds(files="files" not in p.why_not)
            if self.net:
                self.conns = Map(self.prog, "conns")
            self.procs: Map | None = None
            if p.children:
                self.procs = Map(self.prog, "procs", percpu=True)
                tree = Map(self.prog, "tree")
                for child in descendants(p.tgid):  # those forked before the attach
                    tree.set(struct.pack("=I", child), b"\x01")
            # Exit first: every call counted at entry then also has its exit seen.
            if self.full:
                self.prog.attach_raw("sys_exit", "on_sys_exit")
            self.prog.attach_raw("sys_enter", "on_sys_enter")
        except BaseException:
            self.prog.close()
            raise

    def _arm_fd_kinds(self, files: bool) -> None:
        kinds = Map(self.prog, "fdkind")
        for nr, name in self.plan.names.items():
            kind = FD_KINDS.get(name)
            if kind is not None and nr < self.plan.max_nr and (files or kind == K_NOSLOT):
                kinds.set(struct.pack("=I", nr), bytes([kind]))

    def _set_fdtop(self, fdtop: Map) -> None:
        """Tell the program how far the target's fds reach now (close_range and exec scan
        up to there; it raises the mark as fds are made)."""
        try:
            fds = [int(n) for n in os.listdir(f"/proc/{self.plan.tgid}/fd")]
        except OSError:
            fds = []
        fdtop.set(struct.pack("=I", 0), struct.pack("=I", max(fds, default=2) + 1))

    def close(self) -> None:
        self.prog.close()
