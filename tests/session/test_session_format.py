"""Session files: byte-exact round trips, and every way a file can be cut, damaged or foreign."""

from __future__ import annotations

import os
import stat
import struct
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perftui.session import SessionError, SessionReader, SessionRecorder, new_header
from perftui.session import writer as writer_mod
from perftui.session.format import (
    BLOCK,
    FLAG_KEY,
    KIND_CHUNK,
    MAGIC,
    PREAMBLE,
    RECORD,
    SessionHeader,
    encode_header,
    pack_block,
)
from perftui.session.writer import SessionWriter, write_frames
from tests.support.framegen import GenConfig, frames

Frame = dict[str, Any]


def packed(cfg: GenConfig) -> list[tuple[str, bytes]]:
    return [(s, msgpack.packb(f, use_bin_type=True)) for s, f in frames(cfg)]


def make(path: Path, samples: int = 20, **cfg: Any) -> list[tuple[str, bytes]]:
    recs = packed(GenConfig(samples=samples, **cfg))
    write_frames(str(path), new_header(4242), frames(GenConfig(samples=samples, **cfg)))
    return recs


def read_all(path: Path) -> tuple[list[tuple[str, bytes]], list[str]]:
    with SessionReader(str(path)) as r:
        return list(r.records()), r.warnings


def test_round_trip_is_byte_exact_and_private(tmp_path: Path) -> None:
    path = tmp_path / "s.perftui"
    recs = make(path, samples=200)
    got, warnings = read_all(path)
    assert got == recs and warnings == []
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with SessionReader(str(path)) as r:
        index = r.index()
        assert r.closed_cleanly and index.frames == len(recs)
        # One chunk per second of frames, each chunk's time span inside its second.
        assert len(index) == 200
        assert index.start_ts == 1_700_000_000.0 and index.end_ts == 1_700_000_199.0
        assert r.header.pid == 4242 and r.header.schema == 1


def test_recorder_tees_any_thread_and_flushes_within_a_second(tmp_path: Path) -> None:
    import threading
    import time

    path = tmp_path / "r.perftui"
    rec = SessionRecorder(str(path), new_header(1), flush_s=0.2)
    recs = packed(GenConfig(samples=30))
    for stream, raw in recs[:5]:
        rec.write(stream, raw, msgpack.unpackb(raw))
    time.sleep(0.5)  # no more frames: the timer flushes what waits
    with SessionReader(str(path)) as r:
        assert list(r.records()) == recs[:5]
    threads = [threading.Thread(target=lambda part=part: [
        rec.write(s, raw, msgpack.unpackb(raw)) for s, raw in part])
        for part in (recs[5:15], recs[15:])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rec.close()
    rec.close()
    got, warnings = read_all(path)
    assert sorted(got) == sorted(recs) and warnings == []
    assert rec.size == path.stat().st_size and rec.frames == len(recs)


def test_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "x.perftui"
    path.write_bytes(b"precious")
    with pytest.raises(SessionError, match="already exists"):
        SessionWriter(str(path), new_header(1))
    assert path.read_bytes() == b"precious"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not a perftui session"),
    (b"hello world, I am a text file\n", "not a perftui session"),
    (MAGIC[:5], "cut short"),
    (MAGIC + PREAMBLE.pack(1, 50) + b"\x80", "cut short"),
    (MAGIC + PREAMBLE.pack(2, 0), "session format 2, newer"),
    (MAGIC + PREAMBLE.pack(1, 3) + b"abc" + b"\0\0\0\0", "header is unreadable"),
])
def test_unreadable_files_are_refused_in_one_line(tmp_path: Path, content: bytes,
                                                  message: str) -> None:
    path = tmp_path / "bad.perftui"
    path.write_bytes(content)
    with pytest.raises(SessionError, match=message) as info:
        SessionReader(str(path))
    assert "\n" not in str(info.value)


def test_future_frame_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.perftui"
    path.write_bytes(encode_header(SessionHeader(schema=99)))
    with pytest.raises(SessionError, match="frame schema 99, newer"):
        SessionReader(str(path))


def test_cut_at_every_offset_reads_a_prefix_or_refuses(tmp_path: Path) -> None:
    full = tmp_path / "full.perftui"
    recs = make(full, samples=8)
    data = full.read_bytes()
    header_end = len(encode_header(new_header(4242)))
    cut = tmp_path / "cut.perftui"
    with SessionReader(str(full)) as r:
        ends = [(b.end, b.header.count) for b in r.blocks()]
    for n in range(len(data)):
        cut.write_bytes(data[:n])
        try:
            got, warnings = read_all(cut)
        except SessionError as exc:
            assert n < header_end, (n, exc)
            continue
        assert n >= header_end
        # Exactly the frames of the chunks wholly inside the cut file: the last one lost.
        complete = sum(count for end, count in ends if end <= n)
        assert got == recs[:complete], n
        if n > header_end:
            assert warnings, n  # never silent about a cut


def test_flipped_bytes_never_give_garbage(tmp_path: Path) -> None:
    full = tmp_path / "full.perftui"
    recs = make(full, samples=6)
    data = full.read_bytes()
    header_end = len(encode_header(new_header(4242)))
    bad = tmp_path / "bad.perftui"
    for n in range(len(data)):
        flipped = bytearray(data)
        flipped[n] ^= 0x5A
        bad.write_bytes(bytes(flipped))
        try:
            got, warnings = read_all(bad)
        except SessionError as exc:
            assert n < header_end and "\n" not in str(exc)
            continue
        it = iter(recs)
        assert all(any(g == r for r in it) for g in got), n  # an in-order subsequence
        if got != recs:
            assert warnings, n


def test_damage_costs_one_segment_not_the_rest(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_mod, "SEGMENT_CHUNKS", 4)
    path = tmp_path / "s.perftui"
    recs = make(path, samples=16)
    with SessionReader(str(path)) as r:
        index = r.index()
        victim = index.offsets[5]  # second segment, second chunk
    data = bytearray(path.read_bytes())
    data[victim + BLOCK.size + 3] ^= 0xFF
    path.write_bytes(bytes(data))
    got, warnings = read_all(path)
    # The rest of that segment (chunks 5-7) is lost; the next segment (chunk 8) is read.
    assert got == recs[:index.firsts[5]] + recs[index.firsts[8]:]
    assert any("damaged" in w for w in warnings)


def test_index_is_rebuilt_when_the_trailer_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "s.perftui"
    recs = make(path, samples=10)
    with SessionReader(str(path)) as r:
        stored = r.index()
    path.write_bytes(path.read_bytes()[:-30])  # the trailer and part of the index block
    with SessionReader(str(path)) as r:
        scanned = r.index()
        assert list(r.records()) == recs
        assert not r.closed_cleanly and r.warnings
    assert list(scanned.offsets) == list(stored.offsets)
    assert list(scanned.max_ts) == list(stored.max_ts)


def _valid_prefix() -> bytes:
    return encode_header(new_header(7))


@st.composite
def session_like(draw: st.DrawFn) -> bytes:
    """Mostly-valid files: a good header, then blocks with valid checksums around payloads
    that may be anything (compressed or not), then maybe garbage."""
    out = bytearray(_valid_prefix() if draw(st.booleans()) else draw(st.binary(max_size=64)))
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["records", "random", "bomb"]))
        if kind == "records":
            body = b"".join(RECORD.pack(draw(st.integers(0, 3)), len(b)) + b
                            for b in draw(st.lists(st.binary(max_size=40), max_size=5)))
            payload = comp.compress(body) + comp.flush(zlib.Z_SYNC_FLUSH)
        elif kind == "bomb":
            payload = zlib.compress(b"\0" * 200_000)[2:-4]
        else:
            payload = draw(st.binary(max_size=200))
        flags = draw(st.sampled_from([KIND_CHUNK | FLAG_KEY, KIND_CHUNK, 1, 0x77]))
        out += pack_block(flags, draw(st.integers(0, 65535)),
                          draw(st.floats(allow_nan=True)), 0.5, payload)
    out += draw(st.binary(max_size=64))
    if draw(st.booleans()) and out:
        i = draw(st.integers(0, len(out) - 1))
        out[i] ^= draw(st.integers(1, 255))
    return bytes(out)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(session_like(), st.binary(max_size=300)))
def test_fuzzed_files_fail_cleanly_in_bounded_memory(tmp_path_factory: pytest.TempPathFactory,
                                                     data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.perftui"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        with SessionReader(str(path)) as r:
            for _stream, _raw, frame in r.frames():
                assert isinstance(frame, dict)
            r.index()
            assert all("\n" not in w for w in r.warnings)
    except SessionError as exc:
        assert "\n" not in str(exc)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # a 200 kB "bomb" chunk is fine; growth with input is not


def test_header_fields_of_odd_types_are_ignored(tmp_path: Path) -> None:
    body = msgpack.packb({"pid": "nope", "host": 5, "command": "x", "interval": "fast",
                          "probes": [1]})
    path = tmp_path / "odd.perftui"
    path.write_bytes(MAGIC + PREAMBLE.pack(1, len(body)) + body
                     + struct.pack("<I", zlib.crc32(body)))
    with SessionReader(str(path)) as r:
        assert r.header.pid is None and r.header.host == "" and r.header.interval == 1.0
        assert list(r.records()) == []
