"""One sample of the target: the fields of a ``sample`` frame, plus meta changes and warnings.

Each part (threads, memory detail, io, fds, sockets) degrades on its own: a part that cannot
be read is left out of the sample and reported once with a warning, never as a traceback.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from .caps import Caps, probe_caps, why
from .fds import FdTable
from .ioacct import parse_io
from .memory import from_stat, parse_smaps_rollup
from .meta import identity, read_meta, start_time
from .procread import CLK_TCK, Stat, parse_stat, pread_all, read_proc
from .sockets import SocketTable, socket_inodes
from .threads import ThreadTable

T = TypeVar("T")

# Up to this many descriptors the fd links are read every sample (so the socket list is exact);
# above it only on refresh frames, to bound the cost (one readlink per descriptor).
LINKS_EVERY_SAMPLE_MAX: Final = 1024

_GONE = (errno.ESRCH, errno.ENOENT)


class Gone(Exception):
    """The target ended: ``reason`` is "exited" or "zombie"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Result:
    ts: float
    fields: dict[str, Any]
    meta: dict[str, Any] | None = None  # set when cmdline or exe changed (an exec)
    warns: list[tuple[str, str]] = field(default_factory=list)  # (cap, msg)


class Collector:
    def __init__(self, pid: int, fd_refresh: int = 5, sockets: bool = True) -> None:
        """Raises Gone if there is no such process (FileNotFoundError from os.open)."""
        self.pid = pid
        self._proc = f"/proc/{pid}"
        # The kept stat descriptor is tied to this process, not to its number: once the
        # process is reaped it fails with ESRCH, even if the pid is reused.
        self._stat_fd = os.open(f"{self._proc}/stat", os.O_RDONLY | os.O_CLOEXEC)
        st = self._stat()
        self.started = start_time(st)
        self.caps: Caps
        self.caps, diag = probe_caps(pid)
        if not sockets:
            if diag is not None:
                diag.close()
            diag = None
        self._diag = diag
        self._threads = ThreadTable(pid)
        self._fds = FdTable(pid)
        self._sockets = SocketTable(pid, diag) if diag is not None else None
        self._fd_refresh = max(1, fd_refresh)
        self._n = 0
        self._last_count = -1
        self._last_links: dict[int, str] | None = None
        self._identity: tuple[list[str], str | None, str] = (*identity(pid), st.comm)
        self._failing: set[str] = set()  # capabilities that failed in the last sample
        self._warns: list[tuple[str, str]] = []
        self._zombie_sampled = False

    def meta(self) -> dict[str, Any]:
        return read_meta(self.pid, self._stat(), self.started)

    def close(self) -> None:
        self._threads.close()
        if self._diag is not None:
            self._diag.close()
        os.close(self._stat_fd)

    def collect(self) -> Result:
        """One sample; raises Gone when the target has ended."""
        ts = time.time()
        self._warns = []
        st = self._stat()
        if st.state == "Z" and self._single_task():
            if self._zombie_sampled:
                raise Gone("zombie")
            return self._last_words(ts, st)
        if st.state == "X":
            raise Gone("exited")
        res = Result(ts, {"state": st.state, "cpu": [st.utime / CLK_TCK, st.stime / CLK_TCK]})
        res.meta = self._meta_if_changed(st)
        threads = self._part("threads", self._threads.rows)
        if threads is not None:
            res.fields["threads"] = threads
        mem: dict[str, Any] = from_stat(st)
        detail = self._part("memory_detail", self._smaps)
        if detail is not None:
            mem.update(detail)
        res.fields["mem"] = mem
        io = self._part("io", lambda: parse_io(read_proc(f"{self._proc}/io")))
        if io is not None:
            res.fields["io"] = io
        self._fd_and_net(res.fields)
        res.warns = self._warns
        self._n += 1
        return res

    def _last_words(self, ts: float, st: Stat) -> Result:
        """The zombie's sample: until it is reaped, its CPU times and I/O counters are the
        whole life's (memory and descriptors are gone: left out, not zero)."""
        self._zombie_sampled = True
        res = Result(ts, {"state": "Z", "final": True,
                          "cpu": [st.utime / CLK_TCK, st.stime / CLK_TCK]})
        try:
            res.fields["io"] = parse_io(read_proc(f"{self._proc}/io"))
            res.fields["threads"] = self._threads.rows()  # the leader, by its last name
        except (OSError, ValueError):
            pass  # reaped meanwhile, or no access: the CPU times still count
        return res

    def _stat(self) -> Stat:
        try:
            data = pread_all(self._stat_fd)
        except OSError as e:
            if e.errno in _GONE:
                raise Gone("exited") from None
            raise
        if not data:
            raise Gone("exited")
        return parse_stat(data)

    def _single_task(self) -> bool:
        # A leader that called pthread_exit shows "Z" while its other threads run on.
        try:
            return len(os.listdir(f"{self._proc}/task")) <= 1
        except OSError:
            return True

    def _meta_if_changed(self, st: Stat) -> dict[str, Any] | None:
        """A new meta after an exec (or a rename of the process), else None."""
        ident = self._part("meta", lambda: identity(self.pid))
        if ident is None:
            return None
        cmdline, exe = ident
        if exe is None:  # unreadable (access lost, or a zombie): not itself a change
            exe = self._identity[1]
        now = (cmdline, exe, st.comm)
        if now == self._identity:
            return None
        self._identity = now
        return self._part("meta", lambda: read_meta(self.pid, st, self.started))

    def _smaps(self) -> dict[str, int]:
        return parse_smaps_rollup(read_proc(f"{self._proc}/smaps_rollup"))

    def _fd_and_net(self, fields: dict[str, Any]) -> None:
        numbers = self._part("fds", self._fds.numbers)
        if numbers is None:
            return
        count = len(numbers)
        refresh = self._n % self._fd_refresh == 0 or count != self._last_count
        self._last_count = count
        fd: dict[str, Any] = {"count": count}
        fields["fd"] = fd
        if not refresh and count > LINKS_EVERY_SAMPLE_MAX:
            links = self._last_links
        else:
            links = self._part("files", lambda: self._fds.links(numbers))
            # a descriptor that now names another file is a change too (log rotation)
            refresh = refresh or links != self._last_links
        if links is None:
            return
        if refresh:
            files = self._part("files", lambda: self._fds.files(links))
            if files is not None:
                fd["files"] = files
                self._last_links = links
        if self._sockets is not None:
            sockets = self._sockets
            net = self._part("sockets", lambda: sockets.net(socket_inodes(links)))
            if net is not None:
                fields["net"] = net

    def _part(self, cap: str, read: Callable[[], T]) -> T | None:
        """Run one part of the sample; None (and one warning) if it cannot be read."""
        try:
            value = read()
        except OSError as e:
            if e.errno in _GONE:
                # Raises Gone if the whole target ended; a zombie's last words come next.
                self._stat()
                return None  # a thread or descriptor ended meanwhile: skip this part once
            name = e.filename
            self._warn(cap, why(os.fsdecode(name) if name else cap, e))
            return None
        except ValueError as e:  # a file this parser does not understand
            self._warn(cap, f"{cap}: cannot parse: {e}")
            return None
        self._failing.discard(cap)
        return value

    def _warn(self, cap: str, msg: str) -> None:
        if cap not in self._failing:  # once per failure, not once per sample
            self._failing.add(cap)
            self._warns.append((cap, msg))
