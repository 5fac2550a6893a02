"""perf_event_open(2) for tracepoint counters, through ctypes: no BPF, no compiler.

One group per thread: the first event leads, the others follow it, and one read() of the
leader returns every count of the thread (PERF_FORMAT_GROUP).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import platform
import struct

# The number of perf_event_open itself (the one syscall we call by number).
NR_PERF_EVENT_OPEN = {"x86_64": 298, "aarch64": 241, "riscv64": 241, "armv7l": 364,
                      "ppc64le": 319, "s390x": 331}.get(platform.machine())

PERF_TYPE_TRACEPOINT = 2
PERF_FORMAT_GROUP = 1 << 3
PERF_FLAG_FD_CLOEXEC = 1 << 3
PERF_EVENT_IOC_DISABLE = 0x2401
# perf_event_attr flag bits (the u64 bitfield after read_format)
_DISABLED = 1 << 0
_INHERIT = 1 << 1  # children created later count into this counter (read with the group)
_EXCLUDE_HV = 1 << 6

_libc = ctypes.CDLL(None, use_errno=True)


class PerfEventAttr(ctypes.Structure):
    # PERF_ATTR_SIZE_VER0 (64 bytes): every kernel accepts it.
    _fields_ = [
        ("type", ctypes.c_uint32),
        ("size", ctypes.c_uint32),
        ("config", ctypes.c_uint64),
        ("sample_period", ctypes.c_uint64),
        ("sample_type", ctypes.c_uint64),
        ("read_format", ctypes.c_uint64),
        ("flags", ctypes.c_uint64),
        ("wakeup_events", ctypes.c_uint32),
        ("bp_type", ctypes.c_uint32),
        ("config1", ctypes.c_uint64),
    ]


def perf_event_open(attr: PerfEventAttr, pid: int, cpu: int = -1, group_fd: int = -1) -> int:
    """The raw syscall (close-on-exec): a file descriptor, or -1 with errno set."""
    if NR_PERF_EVENT_OPEN is None:
        ctypes.set_errno(38)  # ENOSYS: the syscall's number is unknown on this machine
        return -1
    return int(_libc.syscall(NR_PERF_EVENT_OPEN, ctypes.byref(attr), ctypes.c_int(pid),
                             ctypes.c_int(cpu), ctypes.c_int(group_fd),
                             ctypes.c_ulong(PERF_FLAG_FD_CLOEXEC)))


def open_tracepoint(event_id: int, tid: int, group_fd: int = -1, inherit: bool = False) -> int:
    """A counting tracepoint event on one thread (``inherit``: and every thread and process
    it creates from now on); the fd, or raises OSError."""
    if NR_PERF_EVENT_OPEN is None:
        raise OSError(38, f"perf_event_open: unknown on {platform.machine()}")
    attr = PerfEventAttr()
    attr.type = PERF_TYPE_TRACEPOINT
    attr.size = ctypes.sizeof(PerfEventAttr)
    attr.config = event_id
    attr.sample_period = 0  # counting only: nothing is recorded, no buffer
    attr.read_format = PERF_FORMAT_GROUP
    attr.flags = _EXCLUDE_HV | (_INHERIT if inherit else 0)
    fd = perf_event_open(attr, tid, -1, group_fd)
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"perf_event_open(tracepoint {event_id}, tid {tid}): "
                      f"{os.strerror(err)}")
    return int(fd)


def read_group(leader: int, members: int) -> list[int]:
    """Counts of a group, in the order its events were opened."""
    data = os.read(leader, 8 * (members + 1))
    nr = struct.unpack_from("=Q", data)[0]
    return list(struct.unpack_from(f"={nr}Q", data, 8))


def disable(fd: int) -> None:
    fcntl.ioctl(fd, PERF_EVENT_IOC_DISABLE, 0)
