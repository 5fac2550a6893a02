"""What the probe can collect from this target, and in plain words why not.

Most per-process files of /proc need "ptrace read access" to the target (same user, or root
with CAP_SYS_PTRACE): io, smaps_rollup, the fd links, ns/net.  stat/status of the process and
its threads do not.  Each capability is tried once here; the hello frame carries the result.
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

from perftui.probes.sockdiag import SockDiag, same_netns
from perftui.probes.wire import cap

from .procread import read_proc

Caps = dict[str, dict[str, Any]]

NEED_PTRACE = "run as the target's user or root"


def why(path: str, err: OSError) -> str:
    """A one-line reason for a failed read of ``path``."""
    if err.errno in (errno.EACCES, errno.EPERM):
        return f"{path}: permission denied ({NEED_PTRACE})"
    if err.errno == errno.ENOENT:
        return f"{path}: not provided by this kernel"
    if err.errno == errno.ESRCH:
        return f"{path}: the process has no user address space (kernel thread or zombie)"
    return f"{path}: {err.strerror or err}"


def _try_read(path: str) -> dict[str, Any]:
    try:
        read_proc(path)
    except OSError as e:
        return cap(False, why(path, e))
    return cap(True)


def _try_links(pid: int) -> dict[str, Any]:
    base = f"/proc/{pid}/fd"
    try:
        names = os.listdir(base)
        # cwd needs the same access as the fd links, and exists even with no fd open
        os.readlink(f"{base}/{names[0]}" if names else f"/proc/{pid}/cwd")
    except OSError as e:
        return cap(False, why(f"{base}/N (file names)", e))
    return cap(True)


def _try_sockets(pid: int, files_ok: bool) -> tuple[dict[str, Any], SockDiag | None]:
    if not files_ok:
        return cap(False, "needs the file names of /proc/PID/fd, which are not readable"), None
    diag: SockDiag | None = None
    try:
        own = same_netns(pid)
        diag = SockDiag() if own else SockDiag(netns_of=pid)
        diag.tcp(socket.AF_INET)
    except OSError as e:
        if diag is not None:
            diag.close()
        if e.errno in (errno.EACCES, errno.EPERM):
            return cap(False, "the target is in another network namespace; entering it needs "
                       "root (CAP_SYS_ADMIN)"), None
        return cap(False, f"sock_diag netlink query failed: {e.strerror or e}"), None
    return cap(True), diag


def probe_caps(pid: int) -> tuple[Caps, SockDiag | None]:
    """The hello frame's caps, and the sock_diag socket when sockets can be collected."""
    proc = f"/proc/{pid}"
    caps: Caps = {
        "threads": _try_read(f"{proc}/task/{pid}/status"),
        "memory_detail": _try_read(f"{proc}/smaps_rollup"),
        "io": _try_read(f"{proc}/io"),
    }
    try:
        os.listdir(f"{proc}/fd")
        caps["fds"] = cap(True)
    except OSError as e:
        caps["fds"] = cap(False, why(f"{proc}/fd", e))
    caps["files"] = _try_links(pid)
    caps["sockets"], diag = _try_sockets(pid, caps["files"]["ok"])
    return caps, diag
