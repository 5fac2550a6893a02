"""The throwaway child of :mod:`perftui.probes.ebpf.sysnames`: calls every syscall number under a
seccomp filter that refuses all of them, each with its own errno (number + 1).

``python -m perftui.probes.ebpf.nrchild FIRST LAST FD``: FD is a shared progress file (two int32:
the number being tried, then 1 once done).  It waits for one byte on stdin before it
starts, so the parent can add its pid to the trace filter first.  Once the filter is on it can
make no system call that works (not even write or exit), so it reports through the shared
memory only and spins until the parent kills it.
"""

from __future__ import annotations

import ctypes
import gc
import mmap
import os
import resource
import signal
import struct
import sys

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ERRNO = 0x00050000

# Classic BPF: A = seccomp_data.nr; A += 1; A |= RET_ERRNO; return A.
_FILTER = (
    (0x20, 0, 0, 0),  # BPF_LD | BPF_W | BPF_ABS, offset of seccomp_data.nr
    (0x04, 0, 0, 1),  # BPF_ALU | BPF_ADD | BPF_K
    (0x44, 0, 0, SECCOMP_RET_ERRNO),  # BPF_ALU | BPF_OR | BPF_K
    (0x16, 0, 0, 0),  # BPF_RET | BPF_A
)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def main() -> int:
    first, last = int(sys.argv[1]), int(sys.argv[2])
    shared = mmap.mmap(int(sys.argv[3]), 8)
    libc = ctypes.CDLL(None, use_errno=True)
    call = libc.syscall
    call.argtypes = [ctypes.c_long]
    call.restype = ctypes.c_long
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *op) for op in _FILTER))
    prog = _SockFprog(len(_FILTER), ctypes.addressof(code))
    numbers = list(range(first, last + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killer syscall must not dump core
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # it spins: never outlive the probe
    gc.disable()  # nothing may allocate much once the filter is on
    if os.read(0, 1) != b"g":
        return 1
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) or libc.prctl(
            PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0):
        return 2
    for nr in numbers:
        struct.pack_into("i", shared, 0, nr)
        call(nr)
    struct.pack_into("i", shared, 4, 1)
    while True:  # no exit_group either: the parent kills us
        pass


if __name__ == "__main__":
    sys.exit(main())
