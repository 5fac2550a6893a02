"""Per-socket byte counters from the BPF ``conns`` map, turned into connection rows.

The kernel side keys sockets by their kernel address (an opaque number here, reused after a
socket is freed) and a generation that moves on when a TCP socket closes, so a new socket
at a reused address is a new connection; each gets a small id of its own.  Addresses come from
``inet_sock_set_state`` when the socket changed state while watched (connect, close); for
one that did not (connected before the probe started, or accepted), from the fd of the
syscall that moved its bytes: /proc/PID/fd/N -> socket inode -> sock_diag.  A socket is
reported closed once it reaches TCP_CLOSE or, for sockets without TCP states (unix, udp),
once its inode is no longer among the target's fds; it then appears in one last frame and
is dropped from the map.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

from perftui.probes.sockdiag import TCP_STATES, SockDiag, TcpSock

# struct conn in probe.bpf.c
CONN = struct.Struct("=6Qi4H2B2x16s16s")
KEY = struct.Struct("=QII")  # struct connkey {u64 sk; u32 gen; u32 pad;}
TCP_CLOSE = 7
_GONE = (errno.ENOENT, errno.ESRCH)

Row = list[Any]  # see ConnTable.rows


@dataclass
class _Conn:
    id: int
    inode: int | None = None
    local: str | None = None
    remote: str | None = None
    diag_state: str | None = None
    looked_up: bool = False


def _addr(family: int, raw: bytes, port: int) -> str:
    if family == socket.AF_INET:
        return f"{socket.inet_ntop(socket.AF_INET, raw[:4])}:{port}"
    return f"[{socket.inet_ntop(socket.AF_INET6, raw)}]:{port}"


def kind(family: int, protocol: int) -> str:
    if family == socket.AF_UNIX:
        return "unix"
    if family in (socket.AF_INET, socket.AF_INET6):
        return {socket.IPPROTO_TCP: "tcp", socket.IPPROTO_UDP: "udp"}.get(protocol, "ip")
    return "other"


def ktime_to_epoch(ns: int) -> float | None:
    """bpf_ktime_get_ns() is CLOCK_MONOTONIC: the same clock as time.monotonic_ns()."""
    if not ns:
        return None
    return time.time() - (time.monotonic_ns() - ns) / 1e9


class ConnTable:
    def __init__(self, pid: int, diag: SockDiag | None) -> None:
        self._fd_base = os.fsencode(f"/proc/{pid}/fd") + b"/"
        self._fd_dir = f"/proc/{pid}/fd"
        self._diag = diag
        self._conns: dict[tuple[int, int], _Conn] = {}  # state kept between intervals
        self._next_id = 1

    def rows(self, entries: list[tuple[bytes, bytes]]) -> tuple[list[Row], list[bytes]]:
        """Rows [id, kind, local, remote, state, sent, received, sends, receives, opened,
        closed] and the map keys to delete (closed sockets, reported for the last time)."""
        rows: list[Row] = []
        done: list[bytes] = []
        open_inodes: set[int] | None = None
        diag_cache: dict[int, TcpSock] | None = None
        seen: set[tuple[int, int]] = set()
        for key, value in entries:
            sk = KEY.unpack(key)[:2]  # (address, generation): one connection
            (sent, recv, sends, recvs, opened_ns, closed_ns, fd, family, protocol, sport, dport,
             state, has_addr, saddr, daddr) = CONN.unpack(value)
            seen.add(sk)
            c = self._conns.get(sk)
            if c is None:
                c = self._conns[sk] = _Conn(self._next_id)
                self._next_id += 1
            if c.inode is None and fd >= 0 and not c.looked_up:
                c.looked_up = True
                c.inode = self._inode(fd)
            if has_addr:
                c.local, c.remote = _addr(family, saddr, sport), _addr(family, daddr, dport)
            elif c.local is None and c.inode is not None and protocol == socket.IPPROTO_TCP:
                if diag_cache is None:
                    diag_cache = self._dump_tcp()
                found = diag_cache.get(c.inode)
                if found is not None:
                    c.local, c.remote, c.diag_state = found.local, found.remote, found.state
            state_name = (TCP_STATES[state] if 0 < state < len(TCP_STATES)
                          else c.diag_state if state == 0 else str(state))
            closed = ktime_to_epoch(closed_ns)
            if closed is None and not (family in (socket.AF_INET, socket.AF_INET6)
                                       and protocol == socket.IPPROTO_TCP):
                if open_inodes is None:
                    open_inodes = self._open_inodes()
                if c.inode is not None and open_inodes is not None \
                        and c.inode not in open_inodes:
                    closed = time.time()
            local = c.local if c.local is not None else (
                f"socket:[{c.inode}]" if c.inode is not None else None)
            rows.append([c.id, kind(family, protocol), local, c.remote, state_name, sent, recv,
                         sends, recvs, ktime_to_epoch(opened_ns), closed])
            if closed is not None:
                done.append(key)
                del self._conns[sk]
        for sk in set(self._conns) - seen:  # deleted from the map by someone else: forget
            del self._conns[sk]
        return rows, done

    def _inode(self, fd: int) -> int | None:
        try:
            target = os.readlink(self._fd_base + str(fd).encode())
        except OSError as e:
            if e.errno in _GONE:
                return None
            raise
        if target.startswith(b"socket:["):
            return int(target[8:-1])
        return None

    def _open_inodes(self) -> set[int] | None:
        out: set[int] = set()
        try:
            names = os.listdir(self._fd_dir)
        except OSError:
            return None
        for name in names:
            try:
                target = os.readlink(self._fd_base + name.encode())
            except OSError:
                continue
            if target.startswith(b"socket:["):
                out.add(int(target[8:-1]))
        return out

    def _dump_tcp(self) -> dict[int, TcpSock]:
        if self._diag is None:
            return {}
        found: dict[int, TcpSock] = {}
        for family in (socket.AF_INET, socket.AF_INET6):
            try:
                found.update(self._diag.tcp(family))
            except OSError:
                pass
        return found
