"""SessionWriter: frames in, a session file out.  Not thread-safe (SessionRecorder is).

Frames are buffered until ``flush``; each flush writes one chunk block with a single write
call, so a killed writer leaves at most the unflushed frames and possibly one cut block.
"""

from __future__ import annotations

import os
import struct
import time
import zlib
from collections.abc import Iterable
from typing import Any

import msgpack

from perftui.outfile import OutputError, create_private
from perftui.session.format import (
    DEFINE,
    FLAG_KEY,
    KIND_CHUNK,
    KIND_INDEX,
    RECORD,
    SYNC_TAIL,
    TRAILER,
    TRAILER_MAGIC,
    SessionError,
    SessionHeader,
    compressor,
    encode_header,
    pack_block,
)
from perftui.session.index import ChunkIndex

CHUNK_RAW_BYTES = 64 * 1024  # flush a chunk once this much is pending...
MAX_CHUNK_FRAMES = 65535  # ...or this many frames (the count field is 16 bits)
SEGMENT_CHUNKS = 256  # a new deflate stream (a seek point) every so many chunks...
SEGMENT_RAW_BYTES = 1 << 20  # ...or this much raw data


class SessionWriter:
    def __init__(self, path: str, header: SessionHeader) -> None:
        try:
            # Never overwrite a recording, never through a link; 0600: frames hold command
            # lines and paths.
            fd = create_private(path)
        except OutputError as exc:
            raise SessionError(str(exc)) from None
        self.path = path
        self._fd = fd
        self.size = 0
        self.frames = 0
        self.index = ChunkIndex()
        self._pending: list[tuple[str, bytes]] = []
        self._pending_bytes = 0
        self._min_ts = self._max_ts = 0.0
        self._comp: Any = None
        self._table: dict[str, int] = {}
        self._seg_key = 0
        self._seg_chunks = self._seg_raw = 0
        self.closed = False
        self._write(encode_header(header))

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        self.size += len(data)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, stream: str, raw: bytes, ts: float | None) -> None:
        if ts is None:
            ts = self._max_ts if self._pending else time.time()
        if not self._pending:
            self._min_ts = self._max_ts = ts
        else:
            self._min_ts = min(self._min_ts, ts)
            self._max_ts = max(self._max_ts, ts)
        self._pending.append((stream, raw))
        self._pending_bytes += len(raw) + RECORD.size
        if self._pending_bytes >= CHUNK_RAW_BYTES or len(self._pending) >= MAX_CHUNK_FRAMES:
            self.flush()

    def flush(self) -> None:
        if not self._pending or self.closed:
            return
        flags = KIND_CHUNK
        if (self._comp is None or self._seg_chunks >= SEGMENT_CHUNKS
                or self._seg_raw >= SEGMENT_RAW_BYTES):
            self._comp = compressor()
            self._table = {}
            self._seg_chunks = self._seg_raw = 0
            self._seg_key = self.size
            flags |= FLAG_KEY
        body = bytearray()
        for stream, raw in self._pending:
            sid = self._table.get(stream)
            if sid is None:
                sid = self._table[stream] = len(self._table) + 1
                name = stream.encode()
                body += RECORD.pack(DEFINE, len(name)) + name
            body += RECORD.pack(sid, len(raw)) + raw
        payload = self._comp.compress(bytes(body)) + self._comp.flush(zlib.Z_SYNC_FLUSH)
        payload = payload.removesuffix(SYNC_TAIL)
        offset = self.size
        count = len(self._pending)
        self._write(pack_block(flags, count, self._min_ts, self._max_ts - self._min_ts,
                               payload))
        # The stored span is a float32: index what a reader will read back.
        self.index.add(offset, self._seg_key, count, self._min_ts,
                       self._min_ts + _f32(self._max_ts - self._min_ts))
        self.frames += count
        self._seg_chunks += 1
        self._seg_raw += len(body)
        self._pending.clear()
        self._pending_bytes = 0

    def close(self, extra: dict[str, Any] | None = None) -> None:
        """Flush, then write the index and the trailer that points at it."""
        if self.closed:
            return
        try:
            self.flush()
            offset = self.size
            end = self.index.end_ts or 0.0
            payload = self.index.to_payload({"frames": self.frames, **(extra or {})})
            self._write(pack_block(KIND_INDEX, 0, end, 0.0, payload))
            self._write(TRAILER.pack(offset, TRAILER_MAGIC))
        finally:
            self.closed = True
            os.close(self._fd)


def _f32(x: float) -> float:
    value: float = struct.unpack("<f", struct.pack("<f", x))[0]
    return value


def write_frames(path: str, header: SessionHeader,
                 frames: Iterable[tuple[str, dict[str, Any]]], flush_s: float = 1.0) -> int:
    """Write decoded frames as a recorder would have (a chunk per ``flush_s`` of frame
    time): for tests, benchmarks and converting other recordings.  Returns the file size."""
    packer = msgpack.Packer(use_bin_type=True)
    writer = SessionWriter(path, header)
    first: float | None = None
    try:
        for stream, frame in frames:
            ts = frame.get("ts")
            ts = float(ts) if isinstance(ts, (int, float)) else None
            if first is not None and ts is not None and ts - first >= flush_s:
                writer.flush()
                first = None
            if first is None:
                first = ts
            writer.add(stream, packer.pack(frame), ts)
    finally:
        writer.close()
    return writer.size
