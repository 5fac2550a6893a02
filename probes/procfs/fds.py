"""Open file descriptors of the target: count, link targets, and file positions.

Counting is one ``listdir``; link targets cost one ``readlink`` each (needed every sample to
find the socket inodes, up to a limit); positions cost a read of /proc/PID/fdinfo/FD each and
are only gathered when the file list is refreshed.  Link targets need ptrace read access to the
target, the count only needs the directory to be listable.
"""

from __future__ import annotations

import errno
import os
from typing import Any

from .procread import decode, read_proc

FileRow = list[Any]  # [fd, path, pos]

_GONE = (errno.ENOENT, errno.ESRCH)


class FdTable:
    def __init__(self, pid: int) -> None:
        self._dir = f"/proc/{pid}/fd"
        self._link_base = os.fsencode(self._dir) + b"/"
        self._info_base = f"/proc/{pid}/fdinfo/"

    def numbers(self) -> list[int]:
        """Open descriptor numbers, sorted; raises FileNotFoundError when the target is gone."""
        return sorted(int(name) for name in os.listdir(self._dir))

    def links(self, fds: list[int]) -> dict[int, str]:
        """fd -> link target ("/path", "socket:[123]", "pipe:[45]", "anon_inode:[eventfd]").

        Raises PermissionError without ptrace access; skips descriptors closed meanwhile.
        """
        base = self._link_base
        out: dict[int, str] = {}
        for fd in fds:
            try:
                # bytes in, bytes out: paths need not be UTF-8
                out[fd] = decode(os.readlink(base + str(fd).encode()))
            except OSError as e:
                if e.errno not in _GONE:
                    raise
        return out

    def files(self, links: dict[int, str]) -> list[FileRow]:
        """[fd, path, pos] for every descriptor in ``links`` still open (pos nil if unknown)."""
        rows: list[FileRow] = []
        for fd, path in links.items():
            try:
                info = read_proc(f"{self._info_base}{fd}")
            except OSError as e:
                if e.errno not in _GONE:
                    raise
                continue
            rows.append([fd, path, _pos(info) if path.startswith("/") else None])
        return rows


def _pos(info: bytes) -> int | None:
    """The offset of a file, None for a directory: its "position" is a cookie of the file
    system's directory walk (a hash on ext4: 8192 PiB read as a size is nonsense)."""
    # fdinfo starts with "pos:\t<offset>\n" then "flags:\t<octal>\n"
    if not info.startswith(b"pos:"):
        return None
    at = info.find(b"\nflags:")
    if at >= 0:
        flags = int(info[at + 7:info.find(b"\n", at + 1)].strip() or b"0", 8)
        if flags & os.O_DIRECTORY:
            return None
    return int(info[4:info.find(b"\n")])
