"""The target's sockets: TCP connections with byte counters, and counts of the other kinds.

Socket inodes come from the fd links (``socket:[INODE]``).  Each new inode is classified once
by the sockfs attribute ``system.sockprotoname`` of /proc/PID/fd/FD ("TCP", "TCPv6", "UDP",
"UNIX-STREAM", ...), which costs one system call and tells which TCP families to dump at all;
TCP details then come from one sock_diag dump per family present.
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

from perftui.probes.sockdiag import SockDiag, TcpSock

_TCP4, _TCP6, _UDP, _UNIX, _OTHER, _UNKNOWN = "tcp4", "tcp6", "udp", "unix", "other", "?"
_GONE = (errno.ENOENT, errno.ESRCH)


def socket_inodes(links: dict[int, str]) -> dict[int, int]:
    """inode -> fd for the socket links among ``links`` (a socket shared by two fds once)."""
    out: dict[int, int] = {}
    for fd, target in links.items():
        if target.startswith("socket:["):
            out.setdefault(int(target[8:-1]), fd)
    return out


def _kind(protoname: bytes) -> str:
    name = protoname.rstrip(b"\0")
    if name == b"TCP":
        return _TCP4
    if name == b"TCPv6":
        return _TCP6
    if name.startswith(b"UDP"):  # UDP, UDPv6, UDPLITE, UDPLITEv6
        return _UDP
    if name.startswith(b"UNIX"):  # UNIX (datagram), UNIX-STREAM, ...
        return _UNIX
    return _OTHER


class SocketTable:
    def __init__(self, pid: int, diag: SockDiag) -> None:
        self._fd_base = f"/proc/{pid}/fd/"
        self._diag = diag
        self._kinds: dict[int, str] = {}  # inode -> kind; an inode's kind never changes

    def net(self, inodes: dict[int, int]) -> dict[str, Any]:
        """The ``net`` field of a sample for the socket ``inodes`` (inode -> fd)."""
        kinds: dict[int, str] = {}
        for inode, fd in inodes.items():
            kind = self._kinds.get(inode) or self._classify(fd)
            if kind is not None:
                kinds[inode] = kind
        self._kinds = kinds  # forgets closed sockets
        want = set(kinds.values())
        found: dict[int, TcpSock] = {}
        if _TCP4 in want or _UNKNOWN in want:
            found.update(self._diag.tcp(socket.AF_INET))
        if _TCP6 in want or _UNKNOWN in want:
            found.update(self._diag.tcp(socket.AF_INET6))
        tcp: list[list[Any]] = []
        counts = {_UDP: 0, _UNIX: 0, _OTHER: 0}
        for inode, kind in kinds.items():
            conn = found.get(inode)
            if conn is not None:
                tcp.append([conn.local, conn.remote, conn.state, inode, conn.bytes_sent,
                            conn.bytes_received])
            elif kind in counts:
                counts[kind] += 1
            elif kind == _UNKNOWN:
                counts[_OTHER] += 1
            # else TCP, yet in no table the kernel dumps: neither bound nor connected (or
            # closed meanwhile).  No connection to show, so not listed.
        return {"tcp": tcp, "udp": counts[_UDP], "unix": counts[_UNIX], "other": counts[_OTHER]}

    def _classify(self, fd: int) -> str | None:
        try:
            return _kind(os.getxattr(f"{self._fd_base}{fd}", "system.sockprotoname"))
        except OSError as e:
            if e.errno in _GONE:
                return None  # closed meanwhile
            # No sockfs attribute on this kernel: only sock_diag can tell (TCP or "other").
            return _UNKNOWN
