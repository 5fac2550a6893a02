"""A position in a session's frame stream: frames from any frame number on, in order."""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterator

from perftui.frames import Frame
from perftui.session.index import ChunkIndex
from perftui.session.reader import SessionReader, decode_frame

Item = tuple[int, str, bytes, Frame | None]  # (frame number, stream, raw, decoded or None)


class Cursor:
    """Frame numbers are positions in the index (``ChunkIndex.firsts``): a chunk that turns
    out undecodable is skipped and the numbering stays that of the index."""

    def __init__(self, reader: SessionReader, index: ChunkIndex, ordinal: int = 0) -> None:
        self._index = index
        self.ordinal = max(0, min(ordinal, index.frames))
        self._pending: deque[Item] = deque()
        first = index.chunk_of_ordinal(self.ordinal) if len(index) else 0
        self._chunks: Iterator[tuple[int, list[tuple[str, bytes]]]] = reader.chunks(first)

    def _fill(self) -> bool:
        for offset, records in self._chunks:
            c = bisect_left(self._index.offsets, offset)
            if c >= len(self._index) or self._index.offsets[c] != offset:
                continue  # not in the index (written after it was read): ignore
            n = self._index.firsts[c]
            for stream, raw in records:
                if n >= self.ordinal:
                    self._pending.append((n, stream, raw, None))
                n += 1
            if self._pending:
                return True
        return False

    def peek(self) -> Item | None:
        if not self._pending and not self._fill():
            return None
        n, stream, raw, frame = self._pending[0]
        if frame is None:
            frame = decode_frame(raw)
            self._pending[0] = (n, stream, raw, frame)
        return self._pending[0]

    def next(self) -> Item | None:
        item = self.peek()
        if item is not None:
            self._pending.popleft()
            self.ordinal = item[0] + 1
        return item
