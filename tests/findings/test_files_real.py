"""repeated_open, stat_storm, small_io, polling and syscall_errors on a real target
(tests/targets/findings_files.py) under the real probes, through ``perftui report --json``:
each fires on the thread doing it badly, with the figures the target counted itself, and
the twin doing the same work well raises nothing above info."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from tests.support.cli import perftui
from tests.support.findings import Report, above_info, at_least_warning, record_all, worst
from tests.support.paths import TARGETS
from tests.support.skips import bcc_missing

pytestmark = pytest.mark.skipif(bcc_missing() is not None, reason=str(bcc_missing()))
TARGET = str(TARGETS / "findings_files.py")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    bad, good = tmp_path_factory.mktemp("bad"), tmp_path_factory.mktemp("good")
    reports = record_all({
        "bad": (bad / "s.perftui", [sys.executable, TARGET, str(bad)], None),
        "good": (good / "s.perftui", [sys.executable, TARGET, str(good), "--good"], None)})
    return {**reports, "dir": bad, "good_dir": good,
            "counts": json.loads((bad / "COUNTS.json").read_text())}


def test_repeated_open_names_the_file_and_thread_with_the_opens_it_made(
        runs: dict[str, Any]) -> None:
    f = worst(runs["bad"], "repeated_open")
    assert at_least_warning(f)
    assert f["where"]["path"] == str(runs["dir"] / "CONFIG")
    assert f["where"]["thread"] == "opener"
    assert f["evidence"]["opens"] == runs["counts"]["opens"]  # every open, exactly
    assert f["evidence"]["share_percent"] == 100.0
    # Bytes read over every open of the path: the opener's first (os.open) reads nothing,
    # and the main thread's open that wrote the file is one more.
    opens = runs["counts"]["opens"]
    assert f["evidence"]["read_bytes_per_open"] == pytest.approx(
        2100 * (opens - 1) / (opens + 1), abs=0.1)
    assert f["evidence"]["opens_per_s"] == pytest.approx(
        runs["counts"]["opens"] / f["evidence"]["window_s"], rel=0.01)


def test_stat_storm_names_each_path_looked_up(runs: dict[str, Any]) -> None:
    found = {f["where"]["path"]: f for f in runs["bad"]["findings"] if f["kind"] == "stat_storm"}
    for name, failed in (("CONFIG", 0), ("MISSING", runs["counts"]["stats"])):
        f = found[str(runs["dir"] / name)]
        assert at_least_warning(f) and f["where"]["thread"] == "statter"
        assert f["evidence"]["stats"] == runs["counts"]["stats"]
        assert f["evidence"]["failed"] == failed


def test_small_io_names_the_file_written_a_byte_at_a_time(runs: dict[str, Any]) -> None:
    f = worst(runs["bad"], "small_io")
    assert at_least_warning(f)
    assert f["where"]["path"] == str(runs["dir"] / "OUT") and f["where"]["thread"] == "writer"
    assert f["evidence"]["writes"] == runs["counts"]["writes"]
    assert f["evidence"]["bytes_per_call"] == 1.0


def test_polling_names_the_thread_and_syscall_of_zero_timeout_waits(
        runs: dict[str, Any]) -> None:
    rows = {f["where"]["syscall"]: f for f in runs["bad"]["findings"] if f["kind"] == "polling"}
    f = rows["pselect6"]
    assert at_least_warning(f) and f["where"]["thread"] == "poller"
    assert f["evidence"]["zero_timeout"] == runs["counts"]["zero_selects"]
    f = rows["read"]  # a non-blocking read before data is there
    assert at_least_warning(f) and f["where"]["thread"] == "poller"
    assert f["evidence"]["eagain"] == runs["counts"]["eagain_reads"]
    f = rows["clock_nanosleep"]  # Python's sleep: a deadline on the monotonic clock
    assert at_least_warning(f) and f["where"]["thread"] == "napper"
    # (a deadline that passed before the call entered, on a loaded host, is a zero wait)
    naps = f["evidence"]["under_1ms"] + f["evidence"]["zero_timeout"]
    assert naps == runs["counts"]["naps"] and f["evidence"]["zero_timeout"] < naps / 100


def test_a_diff_says_which_findings_are_gone_and_new(runs: dict[str, Any]) -> None:
    bad, good = (str(runs[d] / "s.perftui") for d in ("dir", "good_dir"))
    fixed = json.loads(perftui("diff", "--json", bad, good).stdout)["findings"]
    gone = {f["kind"] for f in fixed["gone"]}
    assert {"repeated_open", "stat_storm", "small_io", "polling", "syscall_errors"} <= gone
    assert fixed["new"] == [] and fixed["worse"] == []
    broke = json.loads(perftui("diff", "--json", good, bad).stdout)["findings"]
    assert {f["kind"] for f in broke["new"]} == gone and broke["gone"] == []


def test_syscall_errors_name_the_failing_call_and_errno(runs: dict[str, Any]) -> None:
    rows = {(f["where"]["syscall"], f["where"]["errno"]): f
            for f in runs["bad"]["findings"] if f["kind"] == "syscall_errors"}
    f = rows["lseek", "ESPIPE"]
    assert at_least_warning(f) and f["where"]["thread"] == "failer"
    assert f["evidence"]["errors"] == runs["counts"]["failed_seeks"]


def test_where_code_is_known_the_function_is_the_jobs_own(runs: dict[str, Any]) -> None:
    """py-spy's samples of the guilty thread, in the window: its own loop's function."""
    if "pyspy" not in runs["bad"]["coverage"]["probes"]:
        pytest.skip("py-spy did not sample this run (it could not attach)")
    named = [f for f in runs["bad"]["findings"] if f["where"].get("thread") == "opener"
             and f["kind"] == "repeated_open"]
    assert named and named[0]["where"].get("function", "").startswith("main.<locals>.opener")


def test_the_same_work_done_well_raises_nothing_above_info(runs: dict[str, Any]) -> None:
    good: Report = runs["good"]
    assert "findings" in good and not above_info(good), above_info(good)
    assert good["findings_missing"] == []
