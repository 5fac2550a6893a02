"""TCP sockets of a network namespace, with their byte counters, from the kernel's sock_diag.

One netlink request (SOCK_DIAG_BY_FAMILY, ``struct inet_diag_req_v2``) dumps every TCP socket
of one address family, each as a ``struct inet_diag_msg`` followed by attributes; asking for
INET_DIAG_INFO adds ``struct tcp_info``.  Written with ``socket`` and ``struct`` only.  Layouts
(include/uapi/linux/{netlink,inet_diag,sock_diag,tcp}.h) are spelled out below.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import struct
from typing import Final, NamedTuple

NETLINK_SOCK_DIAG: Final = 4
SOCK_DIAG_BY_FAMILY: Final = 20
NLM_F_REQUEST: Final = 0x1
NLM_F_DUMP: Final = 0x300  # NLM_F_ROOT | NLM_F_MATCH
NLMSG_ERROR: Final = 2
NLMSG_DONE: Final = 3
INET_DIAG_INFO: Final = 2

# struct nlmsghdr: u32 len, u16 type, u16 flags, u32 seq, u32 pid
_NLMSGHDR = struct.Struct("=IHHII")
# struct inet_diag_req_v2: u8 family, u8 protocol, u8 ext, u8 pad, u32 states,
# then struct inet_diag_sockid (48 bytes, all zero for a dump)
_REQ = struct.Struct("=BBBBI48x")
# struct inet_diag_msg: u8 family, state, timer, retrans; sockid {be16 sport, be16 dport,
# be32 src[4], be32 dst[4], u32 if, u32 cookie[2]}; u32 expires, rqueue, wqueue, uid, inode
_MSG = struct.Struct("=BBBBHH16s16s8I")  # ports re-read big-endian below
_PORTS = struct.Struct(">HH")
_RTA = struct.Struct("=HH")  # struct rtattr: u16 len, u16 type
_U64 = struct.Struct("=Q")

# Offsets in struct tcp_info (stable ABI: fields are only ever appended).
TCPI_BYTES_ACKED: Final = 120
TCPI_BYTES_RECEIVED: Final = 128
TCPI_BYTES_SENT: Final = 200  # since Linux 4.19

TCP_STATES: Final = ("?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
                     "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
                     "NEW_SYN_RECV", "BOUND_INACTIVE")
# Time-wait and request sockets belong to no process (inode 0): not asking for them keeps the
# dump small on busy hosts.
_STATES: Final = 0xFFFFFFFF & ~((1 << 6) | (1 << 12))

_CLONE_NEWNET: Final = 0x40000000


class TcpSock(NamedTuple):
    local: str
    remote: str
    state: str
    bytes_sent: int | None
    bytes_received: int | None


def _addr(family: int, raw: bytes, port: int) -> str:
    if family == socket.AF_INET:
        return f"{socket.inet_ntop(socket.AF_INET, raw[:4])}:{port}"
    return f"[{socket.inet_ntop(socket.AF_INET6, raw)}]:{port}"


def _u64(buf: memoryview, start: int, length: int, offset: int) -> int | None:
    """A u64 of tcp_info, or None when the kernel's struct is too short to have it."""
    if offset + 8 > length:
        return None
    value: int = _U64.unpack_from(buf, start + offset)[0]
    return value


def parse_dump(buf: memoryview, seq: int, out: dict[int, TcpSock]) -> bool:
    """Add the sockets of one netlink read to ``out``; True once the dump is complete."""
    off = 0
    end = len(buf)
    while off + _NLMSGHDR.size <= end:
        length, kind, _flags, mseq, _pid = _NLMSGHDR.unpack_from(buf, off)
        if length < _NLMSGHDR.size:
            raise OSError(errno.EPROTO, "sock_diag: malformed netlink message")
        if mseq != seq:
            off += (length + 3) & ~3
            continue
        if kind == NLMSG_DONE:
            return True
        if kind == NLMSG_ERROR:
            code = -struct.unpack_from("=i", buf, off + _NLMSGHDR.size)[0]
            raise OSError(code, f"sock_diag: {os.strerror(code)}")
        body = off + _NLMSGHDR.size
        (family, state, _timer, _retrans, _sp, _dp, src, dst, _if, _c0, _c1,
         _expires, _rq, _wq, _uid, inode) = _MSG.unpack_from(buf, body)
        sport, dport = _PORTS.unpack_from(buf, body + 4)
        sent = received = None
        attr = body + _MSG.size
        stop = off + length
        while attr + _RTA.size <= stop:
            alen, atype = _RTA.unpack_from(buf, attr)
            if alen < _RTA.size:
                break
            if atype == INET_DIAG_INFO:
                info, ilen = attr + _RTA.size, alen - _RTA.size
                acked = _u64(buf, info, ilen, TCPI_BYTES_ACKED)
                received = _u64(buf, info, ilen, TCPI_BYTES_RECEIVED)
                sent = _u64(buf, info, ilen, TCPI_BYTES_SENT)
                if sent is None:
                    sent = acked
            attr += (alen + 3) & ~3
        if inode:
            name = TCP_STATES[state] if state < len(TCP_STATES) else str(state)
            out[inode] = TcpSock(_addr(family, src, sport), _addr(family, dst, dport), name,
                                 sent, received)
        off += (length + 3) & ~3
    return False


class SockDiag:
    """A cached NETLINK_SOCK_DIAG socket, opened in the target's network namespace."""

    def __init__(self, netns_of: int | None = None) -> None:
        """``netns_of``: a pid whose network namespace to query, if not the probe's own
        (entering it needs CAP_SYS_ADMIN; raises PermissionError otherwise)."""
        self._sock = _open_in_netns(netns_of) if netns_of is not None else _open()
        self._seq = 0
        self._buf = bytearray(65536)

    def tcp(self, family: int) -> dict[int, TcpSock]:
        """inode -> socket for every TCP socket of ``family`` (AF_INET or AF_INET6)."""
        self._seq = (self._seq + 1) & 0xFFFFFFFF
        req = _REQ.pack(family, socket.IPPROTO_TCP, 1 << (INET_DIAG_INFO - 1), 0, _STATES)
        hdr = _NLMSGHDR.pack(_NLMSGHDR.size + len(req), SOCK_DIAG_BY_FAMILY,
                             NLM_F_REQUEST | NLM_F_DUMP, self._seq, 0)
        self._sock.send(hdr + req)
        out: dict[int, TcpSock] = {}
        view = memoryview(self._buf)
        while True:
            n = self._sock.recv_into(self._buf)
            if n == 0:
                raise OSError(errno.EPROTO, "sock_diag: netlink socket closed")
            if parse_dump(view[:n], self._seq, out):
                return out

    def close(self) -> None:
        self._sock.close()


def _open() -> socket.socket:
    return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC,
                         NETLINK_SOCK_DIAG)


def same_netns(pid: int) -> bool:
    """Whether ``pid`` shares the probe's network namespace (raises without ptrace access)."""
    theirs = os.stat(f"/proc/{pid}/ns/net")
    ours = os.stat("/proc/thread-self/ns/net")
    return (theirs.st_dev, theirs.st_ino) == (ours.st_dev, ours.st_ino)


def _open_in_netns(pid: int) -> socket.socket:
    # A socket stays in the namespace it was created in: enter the target's, create the
    # socket, come back.  setns() changes only the calling thread.
    libc = ctypes.CDLL(None, use_errno=True)
    ours = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    theirs = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        if libc.setns(theirs, _CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        try:
            return _open()
        finally:
            if libc.setns(ours, _CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, "cannot return to the probe's network namespace")
    finally:
        os.close(ours)
        os.close(theirs)
