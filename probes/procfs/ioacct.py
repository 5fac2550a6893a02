"""Per-process I/O counters from /proc/PID/io (needs ptrace read access to the target)."""

from __future__ import annotations

_KEYS = {b"rchar", b"wchar", b"syscr", b"syscw", b"read_bytes", b"write_bytes",
         b"cancelled_write_bytes"}


def parse_io(data: bytes) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in data.split(b"\n"):
        key, sep, value = line.partition(b":")
        if sep and key in _KEYS:
            out[key.decode()] = int(value)
    return out
