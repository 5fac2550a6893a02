"""Per-file byte counters, kept by path although the kernel side counts by descriptor.

The BPF program counts per (fd, generation); the generation of an fd moves on when the target
closes it (close, dup2, dup3), so a reused number starts a new entry.  Each interval:
- an entry of the fd's current generation is named by readlink(/proc/PID/fd/N) the first time
  it is seen, and keeps that name;
- an entry of an older generation belongs to a file closed since: its final counts are added
  to that file's path and the entry is deleted from the map (which keeps the map small);
- an old entry never named (the file was opened, used and closed within one interval) keeps
  its counts under ``(fd N, closed)``: the path is gone with the descriptor.
Not seen: close_range() and exec's close-on-exec do not move generations (a reused fd after
them is named by its first path); fds >= 65536 have no generation.
"""

from __future__ import annotations

import errno
import os
import struct
from collections.abc import Callable

Counters = list[int]  # [read_bytes, write_bytes, reads, writes]

MAX_PATHS = 4096  # past this many files, new ones are summed under OTHER
OTHER = "(other files)"
FDGEN_MAX = 65536
KEY = struct.Struct("=iI")  # struct fdkey {s32 fd; u32 gen;}


def closed_name(fd: int) -> str:
    return f"(fd {fd}, closed)"


class FileTable:
    def __init__(self, pid: int, generation: Callable[[int], int]) -> None:
        """``generation(fd)``: the fd's current generation as the BPF program sees it."""
        self._base = os.fsencode(f"/proc/{pid}/fd") + b"/"
        self._generation = generation
        self._names: dict[tuple[int, int], str] = {}
        self._retired: dict[str, Counters] = {}  # final counts of closed entries, by path

    def update(self, live: dict[tuple[int, int], Counters]) -> tuple[dict[str, Counters],
                                                                      list[tuple[int, int]]]:
        """Counts by path (cumulative) from the map's entries ``live``, and the keys to delete
        from the map (retired entries, already folded into the result)."""
        totals = {path: list(c) for path, c in self._retired.items()}
        retire: list[tuple[int, int]] = []
        current: dict[int, int] = {}
        for (fd, gen), counts in live.items():
            if fd not in current:
                current[fd] = self._generation(fd) if 0 <= fd < FDGEN_MAX else 0
            name = self._names.get((fd, gen))
            if gen == current[fd]:
                if name is None:
                    name = self._resolve(fd)
                    if name is not None:
                        self._names[(fd, gen)] = name
                path = name or closed_name(fd)
            else:
                path = name or closed_name(fd)
                retire.append((fd, gen))
                self._names.pop((fd, gen), None)
                self._add(self._retired, path, counts)
            self._add(totals, path, counts)
        return totals, retire

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
