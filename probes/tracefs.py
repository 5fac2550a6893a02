"""Reading the kernel's tracing filesystem: which events exist, their ids and their fields.

Shared by the eBPF probe (checks the tracepoint ``args`` it relies on) and the perf_event
fallback (opens counters by event id).  Mounting tracefs is bccenv's job.
"""

from __future__ import annotations

import re
from pathlib import Path

from perftui.probes import bccenv

_FIELD = re.compile(r"^\s*field:.*?\s\**(\w+)(\[\d*\])?;", re.MULTILINE)


def root() -> Path:
    """The tracefs directory in use (bcc prefers debugfs's copy when that is mounted)."""
    if bccenv.TRACEFS.is_mount() or not (bccenv.DEBUGFS_TRACING / "events").is_dir():
        return bccenv.TRACEFS
    return bccenv.DEBUGFS_TRACING


def event_dir(category: str, event: str) -> Path:
    return root() / "events" / category / event


def has_event(category: str, event: str) -> bool:
    return (event_dir(category, event) / "id").is_file()


def event_id(category: str, event: str) -> int:
    """The event's id (``attr.config`` of a tracepoint perf event); raises OSError."""
    return int((event_dir(category, event) / "id").read_text())


def fields(category: str, event: str) -> set[str]:
    """Field names of an event's ``format`` file (empty if the event does not exist)."""
    try:
        text = (event_dir(category, event) / "format").read_text()
    except OSError:
        return set()
    return {m.group(1) for m in _FIELD.finditer(text)}


# The kernel's entry points that strace, man pages and users call by the syscall's name
# (x86_64's uname is the kernel's newuname): shown under that name.
USER_NAMES = {"newuname": "uname", "newstat": "stat", "newlstat": "lstat",
              "newfstat": "fstat"}


def user_name(kernel_name: str) -> str:
    """The name a syscall goes by (``uname``), for the kernel's (``newuname``)."""
    return USER_NAMES.get(kernel_name, kernel_name)


def syscall_names() -> list[str]:
    """Names of the running kernel's syscalls that have trace events (``read``, ``openat``...).

    Raises OSError when tracefs is not readable (not mounted, or not root)."""
    base = root() / "events" / "syscalls"
    return sorted(p.name[len("sys_enter_"):] for p in base.iterdir()
                  if p.name.startswith("sys_enter_"))
