"""The exit status of a process perftui did not start, from the kernel's taskstats (root).

Only a parent can wait() for a child's status.  For a target attached with ``-p``, the kernel
still says how each task ended: a listener registered for taskstats (generic netlink family
TASKSTATS, CAP_NET_ADMIN) gets a ``struct taskstats`` for every task that exits on the CPUs
it names, holding ``ac_exitcode`` (the wait status: exit code << 8 | signal).  Registration
must come before the exit, so the procfs probe registers when it starts.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import struct
import threading
import time

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
TASKSTATS_CMD_GET = 1
TASKSTATS_CMD_ATTR_REGISTER_CPUMASK = 3
TASKSTATS_TYPE_PID = 1
TASKSTATS_TYPE_TGID = 2
TASKSTATS_TYPE_STATS = 3
TASKSTATS_TYPE_AGGR_PID = 4
TASKSTATS_TYPE_AGGR_TGID = 5
NLM_F_REQUEST = 1
NLMSG_ERROR = 2
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
RCVBUF_BYTES = 8 << 20

_NLMSG = struct.Struct("=IHHII")  # len, type, flags, seq, pid
_GENL = struct.Struct("=BBH")  # cmd, version, reserved
_ATTR = struct.Struct("=HH")  # len, type
_EXITCODE = struct.Struct("=I")  # struct taskstats: u16 version, 2 pad, u32 ac_exitcode
# ac_utime, ac_stime (microseconds) at offset 152 of struct taskstats (fields only ever get
# appended to it).  Its I/O fields are rounded down to KiB (even the call counts), too coarse
# to stand for /proc/PID/io: only the CPU times are taken.
_CPU = struct.Struct("=QQ")
_CPU_AT = 152
# struct taskstats: ac_comm[32] at 80; ac_pid, ac_ppid, ac_btime (u32) at 128; ac_etime (u64,
# microseconds) at 144.
_COMM_AT = 80
_IDS = struct.Struct("=III")
_IDS_AT = 128
_ETIME = struct.Struct("=Q")
_ETIME_AT = 144
MAX_HELD = 1024  # parents whose children's exit records wait for their own


def _attr(kind: int, payload: bytes) -> bytes:
    data = _ATTR.pack(_ATTR.size + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)


def _attrs(data: bytes) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    i = 0
    while i + _ATTR.size <= len(data):
        length, kind = _ATTR.unpack_from(data, i)
        if length < _ATTR.size:
            break
        out[kind & 0x3FFF] = data[i + _ATTR.size:i + length]
        i += (length + 3) & ~3
    return out


def _messages(data: bytes) -> list[tuple[int, bytes]]:
    """(type, payload after the netlink header) of each message in a datagram."""
    out = []
    i = 0
    while i + _NLMSG.size <= len(data):
        length, kind, _flags, _seq, _pid = _NLMSG.unpack_from(data, i)
        if length < _NLMSG.size:
            break
        out.append((kind, data[i + _NLMSG.size:i + length]))
        i += (length + 3) & ~3
    return out


class ExitWatcher:
    """Listens for the exit of ``pid``; ``status()`` is (code, signal) once it exited."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        try:
            # Every task exit on the host arrives here, not only the target's: room for a
            # burst (a build, a shell loop) between two drains; root may go past rmem_max.
            for opt in (SO_RCVBUFFORCE, socket.SO_RCVBUF):
                try:
                    self._sock.setsockopt(socket.SOL_SOCKET, opt, RCVBUF_BYTES)
                    break
                except OSError:
                    continue
            self._sock.bind((0, 0))
            family = self._family_id()
            cpus = f"0-{max(0, (os.cpu_count() or 1) - 1)}".encode() + b"\0"
            self._request(family, TASKSTATS_CMD_GET,
                          _attr(TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, cpus))
            self._check_ack()
            self._sock.setblocking(False)
        except BaseException:
            self._sock.close()
            raise
        self._status: tuple[int | None, int | None] | None = None
        self._leader_cpu: tuple[float, float] | None = None
        self._group_cpu: tuple[float, float] | None = None
        self.overflowed = False  # some exits were dropped by the kernel (a full buffer)
        # --children: the target's descendants; exits of these and of their children are
        # kept in ``exits`` as [pid, ppid, comm, start_epoch, life_s, user_s, system_s,
        # code, signal] (a task of a descendant's thread group too: readers match pids)
        self.tree: set[int] | None = None
        self.exits: list[list[object]] = []
        self._held: dict[int, list[list[object]]] = {}  # exits of unknown parents, by parent
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._closing = False

    def _request(self, family: int, cmd: int, attrs: bytes) -> None:
        body = _GENL.pack(cmd, 1, 0) + attrs
        self._sock.send(_NLMSG.pack(_NLMSG.size + len(body), family, NLM_F_REQUEST | 4, 1, 0)
                        + body)  # 4: NLM_F_ACK

    def _check_ack(self) -> None:
        for kind, payload in _messages(self._sock.recv(65536)):
            if kind == NLMSG_ERROR:
                (err,) = struct.unpack_from("=i", payload)
                if err:
                    raise OSError(-err, os.strerror(-err))

    def _family_id(self) -> int:
        self._request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                      _attr(CTRL_ATTR_FAMILY_NAME, b"TASKSTATS\0"))
        for kind, payload in _messages(self._sock.recv(65536)):
            if kind == NLMSG_ERROR:
                (err,) = struct.unpack_from("=i", payload)
                raise OSError(-err, os.strerror(-err))
            family = _attrs(payload[_GENL.size:]).get(CTRL_ATTR_FAMILY_ID)
            if family is not None:
                return int(struct.unpack_from("=H", family)[0])
        raise OSError("no TASKSTATS generic netlink family")

    def follow(self, tree: set[int]) -> None:
        """Keep the exit records of ``tree`` (the target's descendants, kept current by the
        caller) and their children, read by a thread as they come: a record's own start
        time is in whole seconds, its arrival dates the exit to the millisecond."""
        self.tree = tree
        self._reader = threading.Thread(target=self._read_all, name="taskstats", daemon=True)
        self._reader.start()

    def _read_all(self) -> None:
        while not self._closing:
            ready, _, _ = select.select([self._sock], [], [], 0.2)
            if ready and not self._drain():
                return

    def _drain(self) -> bool:
        """Read and keep every record queued now; False when the socket failed.  Receiving
        and keeping happen under the lock together, so ``take_exits`` never misses a record
        that was read but not yet kept."""
        with self._lock:
            while True:
                try:
                    data, when = self._recv()
                except BlockingIOError:
                    return True
                except OSError as exc:
                    if exc.errno == errno.ENOBUFS:
                        self.overflowed = True
                        continue
                    return False
                for _kind, payload in _messages(data):
                    self._take(payload[_GENL.size:], when)

    def status(self, wait_s: float = 0.0) -> tuple[int | None, int | None] | None:
        """(exit code, killing signal) once the target's exit was reported, else None.

        Call it with no wait now and then (the procfs probe does at each sample): it drains
        the other tasks' exits, so the buffer has room for the target's."""
        deadline = time.monotonic() + wait_s
        if self._reader is not None:  # the reader drains: wait for it
            while self._status is None and time.monotonic() < deadline:
                time.sleep(0.01)
            return self._status
        while self._status is None:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._sock], [], [], max(0.0, left))
            if not ready:
                break
            try:
                data, when = self._recv()
            except BlockingIOError:
                continue
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:  # a burst overflowed the buffer: some lost
                    self.overflowed = True
                    continue
                return self._status
            for _kind, payload in _messages(data):
                self._take(payload[_GENL.size:], when)
        return self._status

    def cpu(self) -> tuple[float, float] | None:
        """The target's whole-life (user, system) CPU seconds once it exited: the thread
        group's sum (sent when a process that had threads ends), else its one task's."""
        return self._group_cpu or self._leader_cpu

    def _recv(self) -> tuple[bytes, float]:
        """One datagram and when it was read (with ``follow``'s reader: when it came)."""
        return self._sock.recv(1 << 16), time.time()

    def _take(self, payload: bytes, when: float | None = None) -> None:
        attrs = _attrs(payload)
        for kind, id_kind in ((TASKSTATS_TYPE_AGGR_TGID, TASKSTATS_TYPE_TGID),
                              (TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID)):
            aggr = attrs.get(kind)
            if aggr is None:
                continue
            inner = _attrs(aggr)
            ident, stats = inner.get(id_kind), inner.get(TASKSTATS_TYPE_STATS)
            if ident is None or stats is None or len(stats) < 8:
                continue
            if struct.unpack_from("=I", ident)[0] != self.pid:
                if kind == TASKSTATS_TYPE_AGGR_PID:
                    self._descendant(stats, when)
                continue
            cpu = None
            if len(stats) >= _CPU_AT + _CPU.size:
                user_us, sys_us = _CPU.unpack_from(stats, _CPU_AT)
                cpu = (user_us / 1e6, sys_us / 1e6)
            if kind == TASKSTATS_TYPE_AGGR_TGID:
                self._group_cpu = cpu
                continue
            self._leader_cpu = cpu
            (code,) = _EXITCODE.unpack_from(stats, 4)
            signal = code & 0x7F
            self._status = (None, signal) if signal else ((code >> 8) & 0xFF, None)

    def _descendant(self, stats: bytes, when: float | None) -> None:
        """Keep the exit record of a task of the tree (its parent is in it, or it is).  A
        grandchild often ends before its parent (``tar z``: gzip under a shell), whose own
        record says it was in the tree: held back by parent until then."""
        if self.tree is None or len(stats) < _CPU_AT + _CPU.size:
            return
        pid, ppid, btime = _IDS.unpack_from(stats, _IDS_AT)
        (code,) = _EXITCODE.unpack_from(stats, 4)
        signal = code & 0x7F
        comm = stats[_COMM_AT:_COMM_AT + 32].split(b"\0", 1)[0].decode("utf-8", "replace")
        (etime,) = _ETIME.unpack_from(stats, _ETIME_AT)
        user_us, sys_us = _CPU.unpack_from(stats, _CPU_AT)
        start = when - etime / 1e6 if when is not None else float(btime)  # (see follow)
        row: list[object] = [pid, ppid, comm, round(start, 6), etime / 1e6, user_us / 1e6,
                             sys_us / 1e6, None if signal else (code >> 8) & 0xFF,
                             signal or None]
        if pid not in self.tree and ppid not in self.tree and ppid != self.pid:
            self._held.setdefault(ppid, []).append(row)
            while len(self._held) > MAX_HELD:  # the host's other exits: the oldest go
                del self._held[next(iter(self._held))]
            return
        self._keep(pid, row)

    def _keep(self, pid: int, row: list[object]) -> None:
        assert self.tree is not None
        self.tree.add(pid)
        self.exits.append(row)
        for child in self._held.pop(pid, []):  # its children that ended before it
            self._keep(int(str(child[0])), child)

    def take_exits(self) -> list[list[object]]:
        """The descendants' exit records since the last call, those queued in the socket
        and not yet read by the reader thread included: the last sample after the target
        ended must have its children's, sent before the target's own exit."""
        if self.tree is not None and not self._closing:
            self._drain()
        with self._lock:
            out, self.exits = self.exits, []
        return out

    def close(self) -> None:
        self._closing = True
        if self._reader is not None:
            self._reader.join(1.0)
        self._sock.close()


def watch_exit(pid: int) -> ExitWatcher | None:
    """A watcher for ``pid``'s exit, or None where taskstats is not allowed (not root)."""
    try:
        return ExitWatcher(pid)
    except OSError:
        return None
