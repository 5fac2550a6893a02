"""A JIT's perf map (/tmp/perf-PID.map), checked before libbcc's symbolizer opens it.

libbcc reads ``/proc/PID/root/tmp/perf-NSPID.map`` to name JIT code.  /tmp is shared: another
local user can put a FIFO there (the open then blocks root's sampler for good) or a huge or
hostile file.  The map is used only when it is a regular file of the target's own user;
otherwise user addresses stay unnamed and the probe says why.
"""

from __future__ import annotations

import os
import stat


def nspid(pid: int) -> int:
    """The target's pid in its own PID namespace (the name its perf map carries)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError, IndexError):
        pass
    return pid


def perf_map_path(pid: int) -> str:
    return f"/proc/{pid}/root/tmp/perf-{nspid(pid)}.map"


def perf_map_problem(pid: int) -> str:
    """Why the target's perf map must not be read ("" when it may, or there is none)."""
    path = perf_map_path(pid)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"cannot check {path}: {exc.strerror}"
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else \
            "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
        return f"{path} is {kind}"
    try:
        owner = os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return ""  # the target is gone: nothing more will be named anyway
    if st.st_uid != owner:
        return f"{path} belongs to uid {st.st_uid}, not to the target's user ({owner})"
    return ""
