"""Windows that add up: a recording started mid-session counts from its own start, and the
windows of a session sum to the whole (io, syscalls, files, net, samples)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from perftui.report.summary import Summarizer
from perftui.session.prologue import Prologue
from tests.support.framegen import EbpfGen, Frame, GenConfig, frames

CFG = GenConfig(samples=60, ebpf=EbpfGen())


def report(items: list[tuple[str, Frame]], start: float | None = None,
           end: float | None = None) -> dict[str, Any]:
    return Summarizer(start=start, end=end).apply_all(items).result()


def counts(rep: dict[str, Any]) -> dict[str, float]:
    """The report's additive figures, flattened."""
    out: dict[str, float] = {f"io.{k}": v for k, v in rep["io"].items()}
    out.update({f"syscalls.{r['name']}": r["count"] for r in rep.get("syscalls", [])})
    out.update({f"files.{r['path']}.r": r["read_bytes"] for r in rep.get("files", [])})
    out.update({f"files.{r['path']}.w": r["write_bytes"] for r in rep.get("files", [])})
    out["net.sent"], out["net.recv"] = rep["net"]["sent_bytes"], rep["net"]["recv_bytes"]
    out["samples"] = rep["samples"]
    return out


def test_a_recording_started_mid_session_counts_from_its_start() -> None:
    """``r`` at sample 25: the recording's totals are its last readings minus the ones just
    before it started (the prologue's baseline), not the counters since attach."""
    items = frames(CFG)
    cut = next(i for i, (s, f) in enumerate(items) if s == "procfs" and f["k"] == "sample"
               and f["ts"] >= CFG.t0 + 25) + 2  # past that sample's ebpf frame and self
    prologue = Prologue()
    for stream, frame in items[:cut]:
        prologue.see(stream, frame)
    recording = [(s, f) for s, _, f in prologue.frames()] + items[cut:]
    whole = counts(report(items))
    rec = counts(report(recording))
    since_cut = counts(report(items, start=CFG.t0 + 25))  # the window after sample 25
    assert rec == since_cut
    assert 0 < rec["syscalls.read"] < whole["syscalls.read"] * 0.6
    assert rec["io.write_bytes"] == pytest.approx(whole["io.write_bytes"] * 34 / 59, rel=0.01)


def test_six_windows_sum_to_the_whole() -> None:
    items = frames(CFG)
    whole = counts(report(items))
    bounds = [CFG.t0 + 10 * k for k in range(6)] + [CFG.t0 + 59]
    parts = [counts(report(items, start=None if k == 0 else a, end=b))
             for k, (a, b) in enumerate(pairwise(bounds))]
    summed = {key: sum(p.get(key, 0) for p in parts) for key in whole}
    assert summed == whole


def test_the_syscalls_span_of_windows_sums_to_the_whole_and_makes_true_rates() -> None:
    # The eBPF probe's frames come on its own clock (here 0.5 s after each sample), and
    # under load it skips a tick (here the one at 19.5 s): the window up to 20.25 s has 10 s
    # of samples but 9 s of syscall counts.
    items = [(s, {**f, "ts": f["ts"] + 0.5} if s == "ebpf" else f) for s, f in frames(CFG)
             if not (s == "ebpf" and f["k"] == "sys" and f["ts"] == CFG.t0 + 19)]
    whole = report(items)
    bounds: list[float | None] = [None, *(CFG.t0 + 10 * k + 0.25 for k in range(1, 6)), None]
    parts = [report(items, start=a, end=b) for a, b in pairwise(bounds)]
    assert sum(p["syscalls_span_s"] for p in parts) == pytest.approx(whole["syscalls_span_s"])
    assert [round(p["syscalls_span_s"]) for p in parts[1:3]] == [9, 11]
    read_per_s = next(s for s in CFG.ebpf.syscalls if s.name == "read").per_s
    for p in parts[1:]:
        reads = next(r["count"] for r in p["syscalls"] if r["name"] == "read")
        assert reads / p["syscalls_span_s"] == pytest.approx(read_per_s, rel=0.001)


def test_a_syscall_frame_of_before_the_start_that_comes_late_is_in_the_base() -> None:
    # The eBPF probe stamps a frame before its read (0.1-0.6 s under load) and writes it
    # after: its frame of 0.3 s before a window's start can come after the procfs sample of
    # just past it.  Counted in both windows, six windows summed to more than the whole (CI).
    items: list[tuple[str, Frame]] = []
    held: tuple[str, Frame] | None = None
    for stream, frame in frames(CFG):
        if stream == "ebpf" and frame["k"] == "sys":
            held = (stream, {**frame, "ts": frame["ts"] - 0.3})
            continue
        items.append((stream, frame))
        if held is not None and stream == "procfs" and frame["k"] == "sample":
            items.append(held)  # after the sample it was read with
            held = None
    items += [held] if held is not None else []
    whole = counts(report(items))
    bounds: list[float | None] = [None, *(CFG.t0 + 10 * k - 0.1 for k in range(1, 6)), None]
    parts = [counts(report(items, start=a, end=b)) for a, b in pairwise(bounds)]
    summed = {key: sum(p.get(key, 0) for p in parts) for key in whole}
    assert summed == whole
