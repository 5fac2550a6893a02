"""Per-file byte counters, kept by what the file is although the kernel side counts by fd.

The BPF program counts per fd, and when the target closes an fd (close, dup2, dup3) it files
that fd's counts away under (fd, generation) and starts the fd's next generation.  So each
interval user space sees the live files (fd, current generation) and the files closed since
(fd, old generation, final counts).  What each is comes from, in order:
- the BPF ``names`` table (``Made``): the path given to open/openat/creat/openat2, read at
  the call (a relative one joined to its directory fd's name, or to the working directory
  of the moment: read from /proc as the probe attached, then followed through every
  chdir/fchdir), or the syscall that made a socket, eventfd, epoll fd...;
- readlink(/proc/PID/fd/N) the first time a live fd is seen (fds made before the probe
  attached, dups);
- for a closed fd never named, ``(fd N, closed)``.
Counts are summed per name across fd reuse and close.  Sockets, pipes and other anonymous
fds are summed per kind, open or closed (``(sockets)``): a server's thousands of short
connections are one row here (the Network pane has them by peer), and a socket's row does
not change its name when it closes.
Names read from /proc (the second case: the probe did not see the fd made) are marked
``late``, for the report and the pane to say so.  close_range() and a successful exec end the
generations of the fds they may close (the kernel side scans up to about 4200 fds); fds
>= 65536 have no generation.
"""

from __future__ import annotations

import errno
import os
import struct
from dataclasses import dataclass

from .program import NEWFD_KINDS

Counters = list[int]  # [read_bytes, write_bytes, reads, writes]

MAX_PATHS = 4096  # past this many files, new ones are summed under OTHER
OTHER = "(other files)"
FDFAST = 4096  # fds below this count in the fdio array (FDFAST in probe.bpf.c)
FDGEN_MAX = 65536
KEY = struct.Struct("=iI")  # struct fdkey {s32 fd; u32 gen;}
AT_FDCWD = -100
# readlink's names of anonymous fds, by the prefix before ":" (socket:[123], pipe:[45],
# anon_inode:[eventfd]) or the kind a syscall made.
_ANON = {"socket": "sockets", "pipe": "pipes"}


CHDIR_FD = -1  # the BPF names key {-1, n}: the n-th working directory change


@dataclass(frozen=True)
class Made:
    """What the BPF program saw make an fd (or, under key (CHDIR_FD, n), change the working
    directory): open's or chdir's ``path``, relative to the directory fd ``dirfd`` (as of
    its generation ``dirgen``) or to working directory number ``cwdgen``; fchdir's
    ``dirfd``; ``syscall`` for the fd-making calls that take no path."""

    dirfd: int
    syscall: str
    path: str
    dirgen: int = 0
    cwdgen: int = 0


def closed_name(fd: int) -> str:
    return f"(fd {fd}, closed)"


def kind_row(name: str) -> str:
    """The row of an fd named ``name``: its path, or for an anonymous fd its kind
    (``socket:[123]`` -> ``(sockets)``, ``anon_inode:[eventfd]`` -> ``(eventfds)``)."""
    if name.startswith("/"):
        return name
    if name.startswith("anon_inode:"):
        kind = name.removeprefix("anon_inode:").strip("[]")
        return f"({kind.split(':')[-1]}s)"
    plural = _ANON.get(name.split(":", 1)[0])
    return f"({plural})" if plural else name


class FileTable:
    def __init__(self, pid: int) -> None:
        self._proc = f"/proc/{pid}"
        self._base = os.fsencode(f"/proc/{pid}/fd") + b"/"
        self._names: dict[tuple[int, int], str] = {}
        # Working directories by number: 0 as the probe attached, then each chdir/fchdir.
        self._cwds: dict[int, str | None] = {0: self._link("cwd")}
        self._kinds: dict[tuple[int, int], str] = {}  # "socket"... of fds made without a path
        self._retired: dict[str, Counters] = {}  # final counts of closed files, by name
        self.late: set[str] = set()  # names read from /proc: made before the probe attached

    def update(self, live: dict[tuple[int, int], Counters],
               closed: dict[tuple[int, int], Counters],
               made: dict[tuple[int, int], Made] | None = None) -> dict[str, Counters]:
        """Cumulative counts by name: those of every file closed so far (``closed`` holds
        the ones closed since the last call) plus the ``live`` ones.  ``made``: what the
        fds made since the last call are."""
        self._learn(made or {})
        for key, counts in closed.items():
            name = self._names.pop(key, "")
            kind = self._kinds.pop(key, None)
            ended = kind_row(name) if name else f"({kind}s)" if kind else closed_name(key[0])
            self._add(self._retired, ended, counts)
        totals = {path: list(c) for path, c in self._retired.items()}
        for key, counts in live.items():
            row = self._names.get(key)
            if row is None:
                kind = self._kinds.get(key)
                if kind is not None:  # made while watched: its kind says all there is
                    row = f"({kind}s)"
                else:
                    found = self._resolve(key[0])
                    if found is not None:
                        row = kind_row(found)
                        if row.startswith("/"):
                            self.late.add(row)
                if row is not None:
                    self._names[key] = row
            self._add(totals, row or closed_name(key[0]), counts)
        return totals

    def _learn(self, made: dict[tuple[int, int], Made]) -> None:
        """Name the fds made since the last read.  The working directory changes first, in
        their order; then the opens, absolute paths first (a directory opened for openat
        may name the files opened from it in the same batch)."""
        for (_fd, n), m in sorted((kv for kv in made.items() if kv[0][0] == CHDIR_FD),
                                  key=lambda kv: kv[0][1]):
            where = (self._names.get((m.dirfd, m.dirgen)) if m.syscall == "fchdir"
                     else self._path(m))
            self._cwds[n] = where
        pending: list[tuple[tuple[int, int], Made]] = []
        for key, m in made.items():
            if key[0] == CHDIR_FD:
                continue
            if m.path:
                pending.append((key, m))
                continue
            kind = NEWFD_KINDS.get(m.syscall)  # a socket, an eventfd...: its kind names it
            if kind is not None:
                self._kinds[key] = kind
        while pending:  # rounds: a path relative to a directory fd opened in this batch
            left = []
            for key, m in pending:
                name = self._path(m, last_try=False)
                if name is None:
                    left.append((key, m))
                else:
                    self._names[key] = name
            if len(left) == len(pending):  # no progress: the rest as well as /proc can
                for key, m in left:
                    name = self._path(m, last_try=True)
                    if name is not None:
                        self._names[key] = name
                break
            pending = left

    def _path(self, m: Made, last_try: bool = True) -> str | None:
        """The absolute path ``m`` named (None: relative to a directory not known; its fd
        is asked of /proc only on the ``last_try``, when it may no longer be that one)."""
        if m.path.startswith("/"):
            return os.path.normpath(m.path)
        if m.dirfd == AT_FDCWD:
            where = self._cwds.get(m.cwdgen)
        else:
            where = self._names.get((m.dirfd, m.dirgen))
            if where is None and last_try:
                where = self._link(f"fd/{m.dirfd}")
        return os.path.normpath(os.path.join(where, m.path)) if where else None

    @property
    def cwd(self) -> str | None:
        """The working directory now: the latest chdir/fchdir seen, or the one at attach."""
        return self._cwds[max(self._cwds)]

    def _link(self, name: str) -> str | None:
        try:
            return os.fsdecode(os.readlink(f"{self._proc}/{name}"))
        except OSError:
            return None

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
