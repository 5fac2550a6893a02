"""The findings engine on a model fed generated frames (tests/support/framegen.py): the hold
rule, findings that end, kinds whose data is missing; and the rules that tell a contended
lock from the GIL and from an idle pool, on counters given directly."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from perftui.findings import Facts, Finding, Findings, Span
from perftui.findings.catalog import KINDS
from perftui.model.model import Model
from tests.support.framegen import EbpfGen, GenConfig, frames

T0 = GenConfig().t0
ORDERS = "/srv/data/orders.db"  # framegen's: 11,000 reads a second of 190 bytes


def feed(cfg: GenConfig, engine: Findings, stop_files_at: int | None = None,
         ) -> list[tuple[float, list[Finding]]]:
    """Every frame into a model; after each sample, the engine's findings.  From
    sample ``stop_files_at`` on, the files' counters stay where they were (no more I/O)."""
    model = Model()
    out = []
    frozen: list[Any] | None = None
    for stream, frame in frames(cfg):
        if stream == "ebpf" and frame["k"] == "sys":
            i = round(frame["ts"] - T0)
            if stop_files_at is not None and i >= stop_files_at:
                frame = {**frame, "files": frozen}
            frozen = frame.get("files")
        model.apply(stream, frame)
        if frame["k"] in ("sys", "sample"):
            out.append((model.now or 0.0, engine.update(model)))
    return out


def small_io(found: list[Finding]) -> Finding | None:
    return next((f for f in found if f.kind == "small_io" and f.where["path"] == ORDERS), None)


def test_a_finding_shows_after_it_held_five_seconds_with_since_when_first_seen() -> None:
    steps = feed(GenConfig(ebpf=EbpfGen(), samples=12), Findings())
    shown = [(ts, small_io(found)) for ts, found in steps]
    first = next(ts for ts, f in shown if f is not None)
    # First found over the first second of counters (T0 + 1); shown 5 s later.
    assert first == T0 + 6
    f = dict(shown)[first]
    assert f is not None and f.since == T0 + 1 and f.ended is None
    # Judged over the last 10 s: here the 6 s since the first counters.
    assert f.severity == "critical" and f.evidence["reads"] == 11_000 * 6
    assert f.evidence["bytes_per_call"] == round(2 * 1024 * 1024 / 11_000, 1)


def test_the_hold_is_two_intervals_when_that_is_longer() -> None:
    steps = feed(GenConfig(ebpf=EbpfGen(), samples=20, interval=4.0), Findings())
    first = next(ts for ts, found in steps if small_io(found) is not None)
    assert first == T0 + 12  # found at T0 + 4, held for 8 s (two 4 s intervals)


def test_a_finding_that_stops_is_kept_as_ended() -> None:
    steps = feed(GenConfig(ebpf=EbpfGen(), samples=40), Findings(), stop_files_at=20)
    # The last reads are counted at T0 + 19: the 10 s window holds some until T0 + 29, but
    # from T0 + 22 on its last 2.5 s (half the hold) have none: it is over.
    states = {round(ts - T0): small_io(found) for ts, found in steps}
    assert states[21] is not None and states[21].ended is None
    for i in (22, 29, 39):
        f = states[i]
        assert f is not None and f.ended == T0 + 22 and f.since == T0 + 1


def test_a_burst_shorter_than_the_hold_never_shows() -> None:
    # Three seconds of small reads: over the 10 s window the rate stays high for 10 s more,
    # but over its last 2.5 s it is found for 5 s at most (T0 + 1 to T0 + 5, not held).
    steps = feed(GenConfig(ebpf=EbpfGen(), samples=20), Findings(), stop_files_at=4)
    assert all(small_io(found) is None for _ts, found in steps)


def test_a_replay_seeking_back_starts_over() -> None:
    engine = Findings()
    feed(GenConfig(ebpf=EbpfGen(), samples=12), engine)
    assert small_io(engine.current()) is not None
    model = Model()
    for stream, frame in frames(GenConfig(ebpf=EbpfGen(), samples=3)):  # back to T0 + 2
        model.apply(stream, frame)
    assert engine.update(model) == []


def test_kinds_whose_data_is_missing_say_why() -> None:
    engine = Findings()
    feed(GenConfig(samples=5), engine)  # procfs only
    assert "not running" in engine.missing["repeated_open"]
    assert "memory_growth" not in engine.missing  # procfs is enough for it
    engine = Findings()
    feed(GenConfig(ebpf=EbpfGen(source="perf"), samples=5), engine)
    assert "perf counters" in engine.missing["small_io"]
    engine = Findings()
    feed(GenConfig(ebpf=EbpfGen(), samples=5), engine)  # a probe without the new fields
    assert "older" in engine.missing["polling"] and "small_io" not in engine.missing


# -- the lock rules, on counters given directly ------------------------------------------

LOCK = 0x5555_0000_1000
GIL = 0x7F00_0000_06F0


def span(futex: dict[tuple[int, int], tuple[float, ...]], cpu_s: float,
         python: bool = False) -> Span:
    """Ten seconds in which threads 11-13 made these futex calls and each ran ``cpu_s``."""
    model = Model()
    if python:
        model.process.meta = {"exe": "/usr/bin/python3.11"}
    idle = {t: (0.0, 0.0, 0) for t in (11, 12, 13, 14)}
    busy = {t: (cpu_s, 0.0, 0) for t in idle}
    return Span(Facts(T0, threads=idle), Facts(T0 + 10, futex=futex, threads=busy), model)


def waits(addr: int, timed: bool, wait_s: float = 3.0) -> dict[tuple[int, int], tuple[float, ...]]:
    """Threads 11-13 each wait 10,000 times (``wait_s`` in all); thread 14 wakes them."""
    rows = {(addr, t): (10_000.0, wait_s, 0.0, 10_000.0 if timed else 0.0, 0.0, 0.0)
            for t in (11, 12, 13)}
    rows[addr, 14] = (0.0, 0.0, 0.0, 0.0, 30_000.0, 30_000.0)
    return rows


def kinds(s: Span) -> dict[str, Finding]:
    """Each kind's detect on the span (the model here has no probe to say what it has)."""
    return {f.kind: f for kind in KINDS for f in kind.detect(s)}


def test_waiters_that_run_between_short_waits_are_lock_contention() -> None:
    found = kinds(span(waits(LOCK, timed=False), cpu_s=5.0))
    f = found["lock_contention"]
    assert f.severity == "warning" and f.evidence["waiters"] == 3
    assert f.figure == 0.9  # 9 s waited in 10 s
    assert f.evidence["mean_wait_us"] == 300.0 and "gil_contention" not in found


def test_an_idle_pool_waiting_on_one_queue_is_not_contention() -> None:
    # Same waits, but the waiting threads do nothing else: a pool with no work.
    assert "lock_contention" not in kinds(span(waits(LOCK, timed=False), cpu_s=0.0))
    # ...and waits that last (a queue's get for seconds) are not short holds.
    assert "lock_contention" not in kinds(span(waits(LOCK, timed=False, wait_s=2900.0),
                                               cpu_s=5.0))


def test_timed_waits_of_several_python_threads_on_one_lock_are_the_gil() -> None:
    found = kinds(span(waits(GIL, timed=True), cpu_s=5.0, python=True))
    assert found["gil_contention"].severity == "warning" and "lock_contention" not in found
    # The same in a program that is not Python: timed condition waits, not a GIL.
    assert "gil_contention" not in kinds(span(waits(GIL, timed=True), cpu_s=5.0))


def test_words_of_one_condvar_are_one_lock() -> None:
    rows = waits(GIL, timed=True)
    rows.update({(GIL + 4, t): v for (_a, t), v in waits(GIL, timed=True).items()})
    f = kinds(span(rows, cpu_s=5.0, python=True))["gil_contention"]
    assert f.evidence["waits"] == 60_000 and f.where["address"] == hex(GIL)


def test_findings_match_across_runs_by_thread_name_not_id() -> None:
    f = kinds(span(waits(LOCK, timed=False), cpu_s=5.0))["lock_contention"]
    other = replace(f, where={**f.where, "tid": 99, "address": hex(LOCK + 0x1000)})
    assert f.key != other.key and f.match_key == other.match_key


def test_findings_end_when_the_target_exits() -> None:
    # The last sample comes before the exit; nothing samples after it, so only the exit
    # can end what was going on (it stayed "ongoing" on screen for good before).
    cfg = GenConfig(ebpf=EbpfGen(), samples=12, exit_code=0, gone=True)
    model, engine = Model(), Findings()
    found: list[Finding] = []
    for stream, frame in frames(cfg):
        model.apply(stream, frame)
        if frame["k"] == "sample" or model.exit is not None:
            found = engine.update(model)
    assert model.exit is not None and model.exit.ts is not None
    f = small_io(found)
    assert f is not None and f.ended == model.exit.ts and f.since < f.ended
    assert all(x.ended is not None for x in found)


def test_a_findings_function_is_the_programs_own_frame_not_the_standard_librarys() -> None:
    from perftui.findings.facts import from_stdlib

    assert from_stdlib("create_connection (socket.py:845)")
    assert from_stdlib("SimpleHTTPRequestHandler.do_GET (http/server.py:673)")
    assert from_stdlib("_run_module_as_main (<frozen runpy>:198)")
    assert not from_stdlib("churner (findings_net.py:40)")
    assert not from_stdlib("get (requests/api.py:73)")  # site-packages: the program's
    assert not from_stdlib("spin (/tmp/x/gil.py:5)")


def test_a_stat_storm_spread_over_a_thread_per_request_says_so() -> None:
    from perftui.findings.kinds import stat_storm

    paths = {("/srv/www/index.html", tid): (0.0, 1.0, 0.0, 0.0) for tid in range(1, 3001)}
    span = Span(Facts(ts=T0), Facts(ts=T0 + 10, paths=paths), Model())
    (f,) = stat_storm.detect(span)
    assert f.summary.endswith("failed; by 3,000 threads, 1 at most each"), f.summary
    assert f.evidence["stats"] == 3000 and f.evidence["threads"] == 3000
