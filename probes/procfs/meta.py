"""The ``meta`` frame: who the target is (sent first, and again after an exec)."""

from __future__ import annotations

import os
import pwd
import time
from typing import Any

from .procread import CLK_TCK, Stat, decode, field_int, read_proc


def start_time(st: Stat) -> float:
    """Start of the process in epoch seconds.  The stat field counts clock ticks since boot;
    measuring against CLOCK_BOOTTIME now is finer than /proc/stat's whole-second btime."""
    return time.time() - (time.clock_gettime(time.CLOCK_BOOTTIME) - st.starttime / CLK_TCK)


def identity(pid: int) -> tuple[list[str], str | None]:
    """(cmdline, exe): what changes on exec.  exe is nil without ptrace access."""
    raw = read_proc(f"/proc/{pid}/cmdline")
    cmdline = [decode(arg) for arg in raw.split(b"\0")]
    if cmdline and cmdline[-1] == "":
        cmdline.pop()  # the terminating NUL
    try:
        exe: str | None = decode(os.readlink(os.fsencode(f"/proc/{pid}/exe")))
    except OSError:
        exe = None  # no ptrace access, a kernel thread, or a zombie
    return cmdline, exe


def read_meta(pid: int, st: Stat, started: float) -> dict[str, Any]:
    cmdline, exe = identity(pid)
    uid = field_int(read_proc(f"/proc/{pid}/status"), b"\nUid:")
    user: str | None = None
    if uid is not None:
        try:
            user = pwd.getpwuid(uid).pw_name
        except KeyError:
            user = str(uid)
    return {"pid": pid, "ppid": st.ppid, "name": st.comm, "cmdline": cmdline, "exe": exe,
            "user": user, "uid": uid, "start_time": started}
