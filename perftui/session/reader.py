"""SessionReader: a session file's header, chunks, frames and index, read in bounded memory.

Problems with the file as a whole (empty, foreign, newer format, bad header) raise
SessionError with a one-line message.  Damage after the header is not fatal: the reader
skips to the next good segment or stops at a cut tail, and says so in ``warnings``.
"""

from __future__ import annotations

import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import msgpack

from perftui.frames import Frame
from perftui.probes.wire import SCHEMA_VERSION
from perftui.safetext import clean
from perftui.session.format import (
    BLOCK,
    BLOCK_MARKER,
    CODEC,
    CRC,
    DEFINE,
    FORMAT_VERSION,
    KIND_CHUNK,
    KIND_INDEX,
    MAGIC,
    MAX_HEADER,
    MAX_PAYLOAD,
    MAX_STREAMS,
    PREAMBLE,
    RECORD,
    SYNC_TAIL,
    TRAILER,
    TRAILER_MAGIC,
    BlockHeader,
    SessionError,
    SessionHeader,
    block_ok,
    decompressor,
    parse_block_header,
)
from perftui.session.index import ChunkIndex

WINDOW = 256 * 1024
INFLATE_STEP = 1 << 20  # a chunk is inflated and parsed this much at a time
MAX_WARNINGS = 20


@dataclass(frozen=True)
class Block:
    offset: int
    header: BlockHeader
    payload: bytes

    @property
    def end(self) -> int:
        return self.offset + BLOCK.size + self.header.length


def open_regular(path: str) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file.  Opened non-blocking first, so a
    FIFO (or a device) is refused at once instead of hanging until someone writes to it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise SessionError(f"cannot open {path}: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a FIFO" if stat.S_ISFIFO(mode) else "a directory" if stat.S_ISDIR(mode) \
                else "not a regular file"
            raise SessionError(f"{path} is {what}, not a perftui session file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _parse_records(data: bytearray, table: dict[int, str], count: int,
                   out: list[tuple[str, bytes]]) -> int:
    """Append the complete records at the start of ``data`` to ``out`` (at most ``count``
    frames; stream definitions go to ``table``); the number of bytes they took."""
    i, n = 0, len(data)
    while i + RECORD.size <= n:
        sid, length = RECORD.unpack_from(data, i)
        if i + RECORD.size + length > n:
            break  # the rest of this record comes with the next step
        body = bytes(data[i + RECORD.size:i + RECORD.size + length])
        i += RECORD.size + length
        if sid == DEFINE:
            if len(table) >= MAX_STREAMS:
                raise ValueError("too many streams")
            table[len(table) + 1] = clean(body.decode("utf-8", "replace"))
        elif sid in table:
            if len(out) >= count:
                raise ValueError("more frames than the chunk says")
            out.append((table[sid], body))
        else:
            raise ValueError(f"undefined stream {sid}")
    return i


class SessionReader:
    def __init__(self, path: str) -> None:
        self.path = path
        self._f = open_regular(path)
        self.size = os.fstat(self._f.fileno()).st_size
        self.warnings: list[str] = []
        self._win_start = 0
        self._win = b""
        self._index: ChunkIndex | None = None
        self.extra: dict[str, Any] = {}  # what a closed file's index adds (probes, frames)
        try:
            self.header, self.data_start = self._read_header()
        except BaseException:
            self._f.close()
            raise
        self.closed_cleanly = self._trailer() is not None
        if not self.closed_cleanly and self.size > self.data_start:
            self._warn(f"{path} was not closed cleanly: reading up to its last complete chunk")

    def __enter__(self) -> SessionReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._f.close()

    def _warn(self, msg: str) -> None:
        if msg not in self.warnings and len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(msg)

    def _read_at(self, offset: int, n: int) -> bytes:
        end = offset + n
        if not (self._win_start <= offset and end <= self._win_start + len(self._win)):
            self._f.seek(offset)
            self._win = self._f.read(max(n, WINDOW))
            self._win_start = offset
        rel = offset - self._win_start
        return self._win[rel:rel + n]

    # -- header ---------------------------------------------------------------------------

    def _read_header(self) -> tuple[SessionHeader, int]:
        p = self.path
        if self.size == 0:
            raise SessionError(f"{p} is empty, not a perftui session")
        head = self._read_at(0, len(MAGIC) + PREAMBLE.size)
        if not head.startswith(MAGIC):
            if MAGIC.startswith(head):
                raise SessionError(f"{p} is cut short: its header is incomplete")
            raise SessionError(f"{p} is not a perftui session file")
        if len(head) < len(MAGIC) + PREAMBLE.size:
            raise SessionError(f"{p} is cut short: its header is incomplete")
        version, length = PREAMBLE.unpack_from(head, len(MAGIC))
        if version > FORMAT_VERSION:
            raise SessionError(f"{p} is in session format {version}, newer than this perftui "
                               f"reads ({FORMAT_VERSION}): upgrade perftui to read it")
        if version < 1 or length > MAX_HEADER:
            raise SessionError(f"{p} is damaged: its header is unreadable")
        start = len(head)
        body = self._read_at(start, length + CRC.size)
        if len(body) < length + CRC.size:
            raise SessionError(f"{p} is cut short: its header is incomplete")
        data, (crc,) = body[:length], CRC.unpack_from(body, length)
        try:
            if zlib.crc32(data) != crc:
                raise ValueError
            fields = msgpack.unpackb(data, raw=False, strict_map_key=False)
            if not isinstance(fields, dict):
                raise ValueError
            header = SessionHeader.from_map(fields)
        except Exception:  # any way a damaged header fails to decode means the same
            raise SessionError(f"{p} is damaged: its header is unreadable") from None
        if header.codec != CODEC:
            raise SessionError(f"{p} uses compression {header.codec!r}, which this perftui "
                               "cannot read")
        if header.schema > SCHEMA_VERSION:
            raise SessionError(f"{p} holds frame schema {header.schema}, newer than this "
                               f"perftui reads ({SCHEMA_VERSION}): upgrade perftui to read it")
        return header, start + length + CRC.size

    def _trailer(self) -> int | None:
        if self.size < self.data_start + TRAILER.size:
            return None
        offset, magic = TRAILER.unpack(self._read_at(self.size - TRAILER.size, TRAILER.size))
        return offset if magic == TRAILER_MAGIC and offset < self.size else None

    # -- blocks ---------------------------------------------------------------------------

    def _block_at(self, offset: int) -> tuple[Block | None, bool]:
        """(block, cut): the valid block at ``offset``, or None and whether it runs past EOF."""
        raw = self._read_at(offset, BLOCK.size)
        if len(raw) < BLOCK.size:
            return None, True
        header = parse_block_header(raw)
        if header is None:
            return None, False
        if offset + BLOCK.size + header.length > self.size:
            return None, True
        payload = self._read_at(offset + BLOCK.size, header.length)
        if not block_ok(raw, header, payload):
            return None, False
        return Block(offset, header, payload), False

    def _resync(self, offset: int) -> int | None:
        """Offset of the next good block that a reader can start from (a key chunk or the
        index), or None.  Each byte is read once: every marker in a window is tried before
        the next window is read."""
        while offset < self.size:
            data = self._read_at(offset, WINDOW)
            at = data.find(BLOCK_MARKER)
            while at >= 0:
                block, _ = self._block_at(offset + at)
                if block is not None and (block.header.key or block.header.kind == KIND_INDEX):
                    return offset + at
                at = data.find(BLOCK_MARKER, at + 1)
            if len(data) <= len(BLOCK_MARKER):
                return None
            offset += len(data) - (len(BLOCK_MARKER) - 1)  # a marker may straddle windows
        return None

    def blocks(self, start: int | None = None) -> Iterator[Block]:
        """Good chunk blocks in file order from ``start``, skipping damage, up to the index."""
        pos = self.data_start if start is None else start
        while pos < self.size:
            block, cut = self._block_at(pos)
            if block is not None:
                if block.header.kind == KIND_INDEX:
                    return
                if block.header.kind == KIND_CHUNK:
                    yield block
                pos = block.end
                continue
            nxt = self._resync(pos + 1)
            if nxt is None:
                what = "cut short" if cut else "damaged from there to its end"
                self._warn(f"{self.path} is {what} at byte {pos} of {self.size}: frames "
                           "after the last complete chunk are lost")
                return
            self._warn(f"{self.path} is damaged at bytes {pos}-{nxt}: frames there skipped")
            pos = nxt

    # -- records and frames -----------------------------------------------------------------

    def chunks(self, first: int = 0) -> Iterator[tuple[int, list[tuple[str, bytes]]]]:
        """(offset, records) of each decodable chunk, from chunk number ``first`` of the
        index (decoding starts at its segment's key chunk)."""
        start, skip_before = self.data_start, 0
        if first > 0:
            index = self.index()
            if first >= len(index):
                return
            start, skip_before = index.keys[first], index.offsets[first]
        d: Any = None
        table: dict[int, str] = {}
        for block in self.blocks(start):
            if block.header.key:
                d, table = decompressor(), {}
            elif d is None:
                continue  # a segment whose start was lost: nothing to decode against
            try:
                records = self._inflate(d, block.payload + SYNC_TAIL, table, block.header.count)
            except (zlib.error, ValueError) as exc:
                self._warn(f"{self.path}: undecodable chunk at byte {block.offset} ({exc})")
                d = None
                continue
            if block.offset >= skip_before:
                yield block.offset, records

    @staticmethod
    def _inflate(d: Any, payload: bytes, table: dict[int, str],
                 count: int) -> list[tuple[str, bytes]]:
        """The chunk's (stream, frame bytes), inflated a step at a time and parsed as it
        comes: a crafted chunk (millions of tiny records, a deflate bomb) is refused once it
        holds more frames than its header says or more than MAX_PAYLOAD bytes, having cost
        a step of memory, not the whole expansion."""
        out: list[tuple[str, bytes]] = []
        pending = bytearray()
        total = 0
        data = payload
        while True:
            piece = d.decompress(data, INFLATE_STEP)
            data = d.unconsumed_tail
            total += len(piece)
            if total > MAX_PAYLOAD:
                raise ValueError("chunk too large")
            pending += piece
            used = _parse_records(pending, table, count, out)
            del pending[:used]
            if not data and not piece:
                break
        if pending:
            raise ValueError("record cut")
        return out

    def records(self, first: int = 0) -> Iterator[tuple[str, bytes]]:
        for _, records in self.chunks(first):
            yield from records

    def frames(self, first: int = 0) -> Iterator[tuple[str, bytes, Frame]]:
        """(stream, raw bytes, decoded frame), in recorded order."""
        for stream, raw in self.records(first):
            frame = decode_frame(raw)
            if frame is None:
                self._warn(f"{self.path}: a {stream} frame is not a msgpack map; skipped")
                continue
            yield stream, raw, frame

    # -- index ---------------------------------------------------------------------------

    def use_index(self, index: ChunkIndex) -> None:
        """Share an index another reader of the same file already built (no second scan)."""
        self._index = index

    def index(self) -> ChunkIndex:
        """The chunk index: the stored one when the file was closed, else rebuilt by a scan."""
        if self._index is not None:
            return self._index
        offset = self._trailer()
        if offset is not None:
            block, _ = self._block_at(offset)
            if block is not None and block.header.kind == KIND_INDEX:
                try:
                    self._index, self.extra = ChunkIndex.from_payload(block.payload, self.size)
                    return self._index
                except ValueError as exc:
                    self._warn(f"{self.path}: index unreadable ({exc}); rebuilt by a scan")
        index = ChunkIndex()
        key = -1
        for block in self.blocks():
            h = block.header
            if h.key:
                key = block.offset
            if key >= 0:
                index.add(block.offset, key, h.count, h.first_ts, h.last_ts)
        self._index = index
        return index

    @property
    def probes(self) -> dict[str, Any]:
        """Probes and their capabilities: from the header, updated by a closed file's index."""
        self.index()
        found = self.extra.get("probes")
        return {**self.header.probes, **(found if isinstance(found, dict) else {})}


def decode_frame(raw: bytes) -> Frame | None:
    try:
        frame = msgpack.unpackb(raw, raw=False, strict_map_key=False)
    except Exception:  # damaged bytes can fail in many ways (unhashable keys, depth...)
        return None
    return frame if isinstance(frame, dict) else None


def open_session(path: str) -> SessionReader:
    return SessionReader(path)
