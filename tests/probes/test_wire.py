"""The probe protocol: frames survive a round trip, byte for byte, however they are split."""

from __future__ import annotations

import io

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perftui.probes.wire import FrameDecoder, FrameWriter, iter_frames, parse_interval_command


def test_writer_numbers_frames_and_decoder_returns_raw_bytes() -> None:
    out = io.BytesIO()
    w = FrameWriter(out, "procfs")
    w.hello(pid=42, version="1", interval=1.0, caps={"io": {"ok": False, "why": "denied"}})
    w.write("sample", cpu=[1.5, 0.25], threads=[[42, "main", "R", 1.0, 0.5, 3, 4, 1]])
    data = out.getvalue()
    frames = list(iter_frames(io.BytesIO(data)))
    assert [f["k"] for _, f in frames] == ["hello", "sample"]
    assert [f["seq"] for _, f in frames] == [0, 1]
    assert frames[0][1]["caps"]["io"] == {"ok": False, "why": "denied"}
    assert frames[1][1]["cpu"] == [1.5, 0.25]
    # The raw slices are exactly the stream, so recording them loses nothing.
    assert b"".join(raw for raw, _ in frames) == data


frame_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=20)


@given(st.lists(st.dictionaries(st.text(max_size=8), frame_values, max_size=5), max_size=8),
       st.integers(1, 17))
def test_decoder_reassembles_frames_split_anywhere(frames: list[dict[str, object]],
                                                   step: int) -> None:
    data = b"".join(msgpack.packb(f, use_bin_type=True) for f in frames)
    decoder = FrameDecoder()
    got = []
    for i in range(0, len(data), step):
        got.extend(decoder.feed(data[i:i + step]))
    assert [f for _, f in got] == frames
    assert b"".join(raw for raw, _ in got) == data
    assert decoder.pending == 0


def test_decoder_holds_back_an_incomplete_frame() -> None:
    data = msgpack.packb({"k": "sample", "seq": 3})
    decoder = FrameDecoder()
    assert decoder.feed(data[:-1]) == []
    assert decoder.pending == len(data) - 1
    assert [f["seq"] for _, f in decoder.feed(data[-1:])] == [3]


@pytest.mark.parametrize(("line", "expected"), [
    ("interval 0.5", 0.5), ("interval 60", 60.0), ("interval 0.05", None),
    ("interval 61", None), ("interval x", None), ("speed 1", None), ("interval", None)])
def test_interval_command(line: str, expected: float | None) -> None:
    assert parse_interval_command(line) == expected
