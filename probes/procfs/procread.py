"""Fast readers for /proc files and a parser for the ``stat`` line.

/proc files are generated on every read, so the cost is system calls, not bytes: these helpers
use raw descriptors (no Python file objects) and, for files read every sample, a ``pread`` at
offset 0 on a descriptor kept open, which regenerates the content in one system call.
"""

from __future__ import annotations

import os
from typing import Final, NamedTuple

CLK_TCK: Final = os.sysconf("SC_CLK_TCK")
PAGE_SIZE: Final = os.sysconf("SC_PAGE_SIZE")
_CHUNK: Final = 16384


def read_proc(path: str) -> bytes:
    """The whole content of a /proc file (open, read, close)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return pread_all(fd)
    finally:
        os.close(fd)


def pread_all(fd: int) -> bytes:
    """Re-read a kept /proc descriptor from the start: the kernel regenerates the text."""
    data = os.pread(fd, _CHUNK, 0)
    if len(data) < _CHUNK:
        # A seq_file read fills the buffer while it has text: a short read is the end.
        return data
    parts = [data]
    offset = len(data)
    while chunk := os.pread(fd, _CHUNK, offset):
        parts.append(chunk)
        offset += len(chunk)
    return b"".join(parts)


def decode(raw: bytes) -> str:
    """Text for the wire: msgpack cannot carry lone surrogates, so bad bytes become escapes."""
    return raw.decode("utf-8", "backslashreplace")


class Stat(NamedTuple):
    """The fields of /proc/PID/stat (or task/TID/stat) that the probe uses."""

    comm: str
    state: str
    ppid: int
    minflt: int
    majflt: int
    utime: int  # clock ticks
    stime: int  # clock ticks
    num_threads: int
    starttime: int  # clock ticks after boot
    vsize: int  # bytes
    rss: int  # pages
    processor: int  # CPU last run on, -1 if the kernel does not say
    cutime: int = 0  # clock ticks of the children it reaped (waited for), theirs included
    cstime: int = 0


def parse_stat(data: bytes) -> Stat:
    """Parse a stat line. The command name sits in parentheses and may itself contain spaces
    and parentheses (a thread can name itself ``a) (b``), so it ends at the LAST ')'."""
    left = data.find(b"(")
    right = data.rfind(b")")
    if left < 0 or right < left:
        raise ValueError(f"malformed stat line: {data[:80]!r}")
    f = data[right + 2:].split()
    # f[0] is field 3 of proc(5) (state); field n is f[n - 3].
    if len(f) < 22:
        raise ValueError(f"short stat line: {data[:80]!r}")
    return Stat(
        comm=decode(data[left + 1:right]),
        state=f[0].decode("ascii", "replace"),
        ppid=int(f[1]),
        minflt=int(f[7]),
        majflt=int(f[9]),
        utime=int(f[11]),
        stime=int(f[12]),
        num_threads=int(f[17]),
        starttime=int(f[19]),
        vsize=int(f[20]),
        rss=int(f[21]),
        processor=int(f[36]) if len(f) > 36 else -1,
        cutime=int(f[13]),
        cstime=int(f[14]),
    )


def field_int(data: bytes, key: bytes) -> int | None:
    """The integer after ``key`` in a "Key:<tab>value" file such as status; ``key`` must
    include the leading newline or be at the start, so "voluntary" does not match inside
    "nonvoluntary"."""
    start = data.find(key)
    if start < 0:
        return None
    start += len(key)
    end = data.find(b"\n", start)
    return int(data[start:end if end >= 0 else len(data)].split()[0])
