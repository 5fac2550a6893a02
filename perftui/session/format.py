"""The session file format: header, block headers and records (docs/session-format.md).

A session file is a header followed by blocks.  A chunk block holds the raw frames of about one
second, deflate-compressed; chunks form segments that share one deflate stream (so a second of
near-identical frames costs a few dozen bytes), and each segment starts with a key chunk that
can be decoded on its own.  Every block carries its length and a CRC32, so a cut or damaged
tail is detected, and a marker, so a reader can find the next good block after damage.  A
closed file ends with an index block and a trailer pointing at it.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import msgpack

from perftui.safetext import clean

MAGIC = b"\x89perftui\r\n\x1a\n"  # binary-safe like PNG's: text-mode mangling shows
FORMAT_VERSION = 1
CODEC = "deflate"  # raw deflate (zlib, wbits=-15), one stream per segment
SUFFIX = ".perftui"

# After the magic: format version (u16) and header length (u32); then the msgpack header
# and its CRC32 (u32).
PREAMBLE = struct.Struct("<HI")
CRC = struct.Struct("<I")
MAX_HEADER = 1 << 20

# Block header: marker, flags, frame count, payload length, first ts, ts span, CRC32 of the
# header fields before the CRC and of the payload.
BLOCK_MARKER = b"Pc"
BLOCK = struct.Struct("<2sBHIdfI")
BLOCK_CRC_AT = BLOCK.size - CRC.size
KIND_CHUNK = 0
KIND_INDEX = 1
KIND_MASK = 0x03
FLAG_KEY = 0x04  # first chunk of a segment: a fresh deflate stream and stream table
MAX_PAYLOAD = 72 << 20  # one frame may be up to 64 MiB (the wire decoder's limit)
MAX_TS = 1e10  # year 2286: a block timestamp beyond is damage
MAX_SPAN_S = 1e6  # a chunk spans seconds, a few minutes at most
MAX_STREAMS = 256  # stream names defined in one segment

# Records inside a chunk, after decompression: stream id (u16) and length (u32), then bytes.
# Stream id 0 defines the next id: its bytes are the stream's name.
RECORD = struct.Struct("<HI")
DEFINE = 0

TRAILER = struct.Struct("<Q8s")
TRAILER_MAGIC = b"PTUIidx\n"


class SessionError(ValueError):
    """A file perftui cannot read as a session: the message is one line for the user."""


@dataclass
class SessionHeader:
    """What is known when recording starts.  Probes' capabilities arrive later, in their hello
    frames; a closed file also lists them in its index (``probes``)."""

    pid: int | None = None
    host: str = ""
    command: list[str] = field(default_factory=list)
    label: str = ""
    start: float = 0.0
    interval: float = 1.0
    probes: dict[str, dict[str, Any]] = field(default_factory=dict)
    perftui: str = ""
    schema: int = 0
    format: int = FORMAT_VERSION
    codec: str = CODEC

    def to_map(self) -> dict[str, Any]:
        return {"format": self.format, "codec": self.codec, "perftui": self.perftui,
                "schema": self.schema, "pid": self.pid, "host": self.host,
                "command": self.command, "label": self.label, "start": self.start,
                "interval": self.interval, "probes": self.probes}

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> SessionHeader:
        def get(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
            value = m.get(key, default)
            return value if isinstance(value, kind) else default

        pid = m.get("pid")
        # Text from a file reaches terminals (replay header, report): cleaned on the way in.
        return cls(pid=pid if isinstance(pid, int) else None,
                   host=clean(get("host", str, "")),
                   command=[clean(a) for a in get("command", list, [])],
                   label=clean(get("label", str, "")),
                   start=float(get("start", (int, float), 0.0)),
                   interval=float(get("interval", (int, float), 1.0)),
                   probes=get("probes", dict, {}), perftui=get("perftui", str, ""),
                   schema=get("schema", int, 0), format=get("format", int, FORMAT_VERSION),
                   codec=get("codec", str, CODEC))


def encode_header(header: SessionHeader) -> bytes:
    body: bytes = msgpack.packb(header.to_map(), use_bin_type=True)
    return MAGIC + PREAMBLE.pack(header.format, len(body)) + body + CRC.pack(zlib.crc32(body))


@dataclass(frozen=True)
class BlockHeader:
    flags: int
    count: int
    length: int
    first_ts: float
    span: float
    crc: int

    @property
    def kind(self) -> int:
        return self.flags & KIND_MASK

    @property
    def key(self) -> bool:
        return bool(self.flags & FLAG_KEY)

    @property
    def last_ts(self) -> float:
        return self.first_ts + self.span


def pack_block(flags: int, count: int, first_ts: float, span: float, payload: bytes) -> bytes:
    head = BLOCK.pack(BLOCK_MARKER, flags, count, len(payload), first_ts, span, 0)
    crc = zlib.crc32(payload, zlib.crc32(head[:BLOCK_CRC_AT]))
    return head[:BLOCK_CRC_AT] + CRC.pack(crc) + payload


def parse_block_header(data: bytes) -> BlockHeader | None:
    """The header at the start of ``data`` (BLOCK.size bytes), or None when it is no header.

    Garbage that happens to start with the 2-byte marker is turned away here, before its
    payload is read and checksummed: timestamps must be finite and sane."""
    marker, flags, count, length, first_ts, span, crc = BLOCK.unpack_from(data)
    if marker != BLOCK_MARKER or length > MAX_PAYLOAD or flags & ~(KIND_MASK | FLAG_KEY):
        return None
    if not (math.isfinite(first_ts) and 0 <= first_ts < MAX_TS
            and math.isfinite(span) and 0 <= span <= MAX_SPAN_S):
        return None
    return BlockHeader(flags, count, length, first_ts, span, crc)


def block_ok(raw_header: bytes, header: BlockHeader, payload: bytes) -> bool:
    return zlib.crc32(payload, zlib.crc32(raw_header[:BLOCK_CRC_AT])) == header.crc


# Every chunk ends with a deflate sync flush, whose last four bytes are always these: they are
# left out of the file and put back before decompressing (as WebSocket's permessage-deflate
# does), 4 bytes a second saved.
SYNC_TAIL = b"\x00\x00\xff\xff"


def compressor() -> Any:
    # Level 6: level 9 saves ~2% here for twice the CPU.  memLevel 9 helps small flushes.
    return zlib.compressobj(6, zlib.DEFLATED, -15, 9)


def decompressor() -> Any:
    return zlib.decompressobj(-15)
