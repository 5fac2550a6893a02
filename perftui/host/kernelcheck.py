"""Real, non-intrusive kernel permission probes used by ``perftui doctor``.

Each one asks the kernel the exact question a probe will ask later (rather than guessing from
sysctls), and returns the errno so the caller can explain a refusal.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import socket
import struct

from perftui.probes.perfcount.perf import PerfEventAttr, perf_event_open

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)

PERF_TYPE_SOFTWARE = 1
PERF_COUNT_SW_CPU_CLOCK = 0
# perf_event_attr flag bits (the u64 bitfield after read_format).
_ATTR_DISABLED = 1 << 0
_ATTR_EXCLUDE_KERNEL = 1 << 5
_ATTR_EXCLUDE_HV = 1 << 6


def perf_event_open_cpu_clock(pid: int) -> int:
    """Open (then close) a software cpu-clock counter on ``pid``; 0 or an errno.

    User-space only (exclude_kernel), which is what perf_event_paranoid=2 still allows.
    """
    attr = PerfEventAttr()
    attr.type = PERF_TYPE_SOFTWARE
    attr.size = ctypes.sizeof(PerfEventAttr)
    attr.config = PERF_COUNT_SW_CPU_CLOCK
    attr.flags = _ATTR_DISABLED | _ATTR_EXCLUDE_KERNEL | _ATTR_EXCLUDE_HV
    fd = perf_event_open(attr, pid)
    if fd < 0:
        return ctypes.get_errno() or errno.EPERM
    os.close(fd)
    return 0


class _IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def vm_read_access(pid: int) -> int:
    """Can we read ``pid``'s memory the way py-spy does (process_vm_readv)? 0 or an errno.

    The kernel checks PTRACE_MODE_ATTACH (uids, CAP_SYS_PTRACE, Yama) before it looks at the
    address, so reading one byte at address 0 answers the question without touching the
    target: EFAULT means "allowed, bad address"; EPERM means refused.
    """
    buf = ctypes.create_string_buffer(1)
    local = _IoVec(ctypes.cast(buf, ctypes.c_void_p), 1)
    remote = _IoVec(None, 1)
    n = _libc.process_vm_readv(ctypes.c_int(pid), ctypes.byref(local), ctypes.c_ulong(1),
                               ctypes.byref(remote), ctypes.c_ulong(1), ctypes.c_ulong(0))
    if n >= 0:
        return 0
    err = ctypes.get_errno()
    return 0 if err == errno.EFAULT else err


NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
TCP_LISTEN_STATE = 1 << 10


def sock_diag_tcp_listeners(timeout: float = 1.0) -> int:
    """Dump listening TCP sockets over NETLINK_SOCK_DIAG; the count, or raise OSError.

    Opening the socket alone proves little (inet_diag may be absent): this sends a real
    request, as the socket probe will.
    """
    # inet_diag_req_v2: family, protocol, ext, pad, states, then a 48-byte zeroed sockid.
    req = struct.pack("=BBBxI48x", socket.AF_INET, socket.IPPROTO_TCP, 0, TCP_LISTEN_STATE)
    header = struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY,
                         NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG) as sock:
        sock.settimeout(timeout)
        sock.sendall(header + req)
        count = 0
        while True:
            data = sock.recv(65536)
            if not data:
                raise OSError(errno.EIO, "sock_diag: empty reply")
            offset = 0
            while offset + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, offset)
                if kind == NLMSG_DONE:
                    return count
                if kind == NLMSG_ERROR:
                    (code,) = struct.unpack_from("=i", data, offset + 16)
                    if code == 0:
                        return count
                    raise OSError(-code, f"sock_diag: {os.strerror(-code)}")
                count += 1
                offset += (length + 3) & ~3  # NLMSG_ALIGN
                if length < 16:
                    raise OSError(errno.EIO, "sock_diag: malformed reply")
