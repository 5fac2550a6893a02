"""The chunk index: where each chunk is, which segment it needs, its frames and time span.

Written at the end of a closed file; rebuilt by scanning the blocks when a file was cut short.
Compact arrays (about 40 bytes a chunk, so ~3.5 MB for 24 h of 1 s chunks) rather than objects.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

import msgpack


def _le(a: array[Any]) -> bytes:
    if sys.byteorder != "little":
        a = array(a.typecode, a)
        a.byteswap()
    return a.tobytes()


def _from_le(typecode: str, data: object) -> array[Any]:
    a: array[Any] = array(typecode)
    if not isinstance(data, bytes) or len(data) % a.itemsize:
        raise ValueError("bad index column")
    a.frombytes(data)
    if sys.byteorder != "little":
        a.byteswap()
    return a


@dataclass
class ChunkIndex:
    offsets: array[int] = field(default_factory=lambda: array("Q"))
    keys: array[int] = field(default_factory=lambda: array("Q"))  # offset of the segment's key
    counts: array[int] = field(default_factory=lambda: array("I"))
    min_ts: array[float] = field(default_factory=lambda: array("d"))
    max_ts: array[float] = field(default_factory=lambda: array("d"))
    # Derived: ordinal of each chunk's first frame, and the running max of max_ts (so a
    # search by time is well defined even when streams' clocks interleave a little).
    firsts: array[int] = field(default_factory=lambda: array("Q"))
    reach: array[float] = field(default_factory=lambda: array("d"))
    frames: int = 0

    def add(self, offset: int, key: int, count: int, min_ts: float, max_ts: float) -> None:
        self.offsets.append(offset)
        self.keys.append(key)
        self.counts.append(count)
        self.min_ts.append(min_ts)
        self.max_ts.append(max_ts)
        self.firsts.append(self.frames)
        self.reach.append(max(max_ts, self.reach[-1]) if self.reach else max_ts)
        self.frames += count

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def start_ts(self) -> float | None:
        return self.min_ts[0] if self.min_ts else None

    @property
    def end_ts(self) -> float | None:
        return self.reach[-1] if self.reach else None

    def chunk_of_ordinal(self, ordinal: int) -> int:
        """The chunk holding frame number ``ordinal`` (clamped to the last chunk)."""
        return max(0, min(bisect_right(self.firsts, ordinal) - 1, len(self) - 1))

    def chunk_reaching(self, ts: float) -> int:
        """The first chunk whose frames reach ``ts`` (len(self) when none does)."""
        return bisect_left(self.reach, ts)

    def gaps(self, interval: float) -> list[tuple[float, float]]:
        """Spans (start ts, end ts) with no frames for more than twice the interval."""
        out: list[tuple[float, float]] = []
        limit = 2 * interval
        for i in range(1, len(self)):
            before, after = self.reach[i - 1], self.min_ts[i]
            if after - before > limit:
                out.append((before, after))
        return out

    def to_payload(self, extra: dict[str, Any]) -> bytes:
        cols = {"offsets": _le(self.offsets), "keys": _le(self.keys),
                "counts": _le(self.counts), "min_ts": _le(self.min_ts),
                "max_ts": _le(self.max_ts)}
        payload: bytes = msgpack.packb({**extra, "chunks": cols}, use_bin_type=True)
        return payload

    @classmethod
    def from_payload(cls, payload: bytes, file_size: int) -> tuple[ChunkIndex, dict[str, Any]]:
        """Parse and sanity-check a stored index; ValueError when it cannot be trusted."""
        try:
            m = msgpack.unpackb(payload, raw=False, strict_map_key=False)
            cols = m["chunks"]
            offsets, keys = _from_le("Q", cols["offsets"]), _from_le("Q", cols["keys"])
            counts = _from_le("I", cols["counts"])
            min_ts, max_ts = _from_le("d", cols["min_ts"]), _from_le("d", cols["max_ts"])
        except (ValueError, KeyError, TypeError, msgpack.UnpackException) as exc:
            raise ValueError(f"unreadable index: {exc}") from None
        n = len(offsets)
        if not n == len(keys) == len(counts) == len(min_ts) == len(max_ts):
            raise ValueError("index columns differ in length")
        index = cls()
        prev = -1
        for i in range(n):
            off, key = offsets[i], keys[i]
            if not prev < off < file_size or key > off:
                raise ValueError("index offsets out of order")
            prev = off
            index.add(off, key, counts[i], min_ts[i], max_ts[i])
        extra = {k: v for k, v in m.items() if k != "chunks"} if isinstance(m, dict) else {}
        return index, extra
