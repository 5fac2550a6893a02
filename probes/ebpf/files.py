"""Per-file byte counters, kept by path although the kernel side counts by descriptor.

The BPF program counts per fd, and when the target closes an fd (close, dup2, dup3) it files
that fd's counts away under (fd, generation) and starts the fd's next generation.  So each
interval user space sees the live files (fd, current generation) and the files closed since
(fd, old generation, final counts):
- a live file is named by readlink(/proc/PID/fd/N) the first time it is seen, and keeps that
  name;
- a closed file's counts are added to the path it had; one never named (opened, used and
  closed within one interval) keeps its counts under ``(fd N, closed)``: the path went with
  the descriptor.
Not seen: close_range() and exec's close-on-exec do not start a generation, so a file then
opened on the same number adds to the old one's name; fds >= 65536 have no generation.
"""

from __future__ import annotations

import errno
import os
import struct

Counters = list[int]  # [read_bytes, write_bytes, reads, writes]

MAX_PATHS = 4096  # past this many files, new ones are summed under OTHER
OTHER = "(other files)"
FDFAST = 4096  # fds below this count in the fdio array (FDFAST in probe.bpf.c)
FDGEN_MAX = 65536
KEY = struct.Struct("=iI")  # struct fdkey {s32 fd; u32 gen;}


def closed_name(fd: int) -> str:
    return f"(fd {fd}, closed)"


class FileTable:
    def __init__(self, pid: int) -> None:
        self._base = os.fsencode(f"/proc/{pid}/fd") + b"/"
        self._names: dict[tuple[int, int], str] = {}
        self._retired: dict[str, Counters] = {}  # final counts of closed files, by path

    def update(self, live: dict[tuple[int, int], Counters],
               closed: dict[tuple[int, int], Counters]) -> dict[str, Counters]:
        """Cumulative counts by path: those of every file closed so far (``closed`` holds the
        ones closed since the last call) plus the ``live`` ones."""
        for key, counts in closed.items():
            path = self._names.pop(key, "") or closed_name(key[0])
            self._add(self._retired, path, counts)
        totals = {path: list(c) for path, c in self._retired.items()}
        for key, counts in live.items():
            name = self._names.get(key)
            if name is None:
                name = self._resolve(key[0])
                if name is not None:
                    self._names[key] = name
            self._add(totals, name or closed_name(key[0]), counts)
        return totals

    def _resolve(self, fd: int) -> str | None:
        try:
            return os.fsdecode(os.readlink(self._base + str(fd).encode()))
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.ESRCH):
                return None  # closed without a generation change (close_range, exec)
            raise

    @staticmethod
    def _add(into: dict[str, Counters], path: str, counts: Counters) -> None:
        if path not in into and len(into) >= MAX_PATHS:
            path = OTHER
        have = into.get(path)
        if have is None:
            into[path] = list(counts)
        else:
            for i, v in enumerate(counts):
                have[i] += v
