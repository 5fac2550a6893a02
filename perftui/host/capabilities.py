"""Small, side-effect-free facts about this process's privileges.

Read from /proc/self/status rather than via libcap so nothing extra has to be installed.
"""

from __future__ import annotations

import os
from pathlib import Path

# Bit numbers from <linux/capability.h>.
CAP_DAC_READ_SEARCH = 2
CAP_SYS_PTRACE = 19
CAP_SYS_ADMIN = 21
CAP_PERFMON = 38
CAP_BPF = 39

CAP_NAMES = {
    CAP_DAC_READ_SEARCH: "CAP_DAC_READ_SEARCH",
    CAP_SYS_PTRACE: "CAP_SYS_PTRACE",
    CAP_SYS_ADMIN: "CAP_SYS_ADMIN",
    CAP_PERFMON: "CAP_PERFMON",
    CAP_BPF: "CAP_BPF",
}


def status_field(pid: int | str, name: str) -> str | None:
    """One ``Name:`` line of /proc/PID/status, or None if unreadable or absent."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return value.strip()
    return None


def effective_caps(pid: int | str = "self") -> int:
    """The CapEff bit mask of a process (0 when it cannot be read)."""
    value = status_field(pid, "CapEff")
    try:
        return int(value, 16) if value else 0
    except ValueError:
        return 0


def has_cap(cap: int, pid: int | str = "self") -> bool:
    return bool(effective_caps(pid) >> cap & 1)


def is_root() -> bool:
    return os.geteuid() == 0


def uids(pid: int | str) -> tuple[int, ...] | None:
    """(real, effective, saved, fs) uids of a process, None if unreadable."""
    value = status_field(pid, "Uid")
    if value is None:
        return None
    try:
        return tuple(int(v) for v in value.split())
    except ValueError:
        return None


def read_sysctl(name: str) -> str | None:
    """A sysctl value such as ``kernel.perf_event_paranoid``; None if absent."""
    try:
        return Path("/proc/sys", *name.split(".")).read_text().strip()
    except OSError:
        return None
