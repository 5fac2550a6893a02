"""context_switch_storm, high_system_time, lock_contention and gil_contention on real
targets and their healthy twins; an idle thread pool (threads waiting in futexes too), an
idle process and the demo target raise neither lock finding, nor anything above info."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support.findings import Job, above_info, at_least_warning, of_kind, record_all, worst
from tests.support.paths import TARGETS
from tests.support.skips import bcc_missing

pytestmark = pytest.mark.skipif(bcc_missing() is not None, reason=str(bcc_missing()))
PY = sys.executable


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("threads")
    lock = tmp / "lock_contended"
    subprocess.run(["cc", "-O1", "-pthread", "-o", str(lock),
                    str(TARGETS / "lock_contended.c")], check=True)
    handoff = str(TARGETS / "findings_handoff.py")
    # Two at a time, in this order: each busy target beside an idle one where it can be.
    jobs: dict[str, Job] = {
        "handoff": (tmp / "h.perftui", [PY, handoff, "--counts", str(tmp / "h.json")], None),
        "idle": (tmp / "i.perftui", ["sleep", "5"], None),
        "pool": (tmp / "p.perftui", [PY, str(TARGETS / "idle_pool.py")], None),
        "lock": (tmp / "l.perftui", [str(lock), "5"], None),
        "handoff_good": (tmp / "hg.perftui", [PY, handoff, "--good"], None),
        "gil": (tmp / "g.perftui", [PY, str(TARGETS / "gil_spin.py")], None),
        "lock_good": (tmp / "lg.perftui", [str(lock), "5", "good"], None),
        "gil_good": (tmp / "gg.perftui", [PY, str(TARGETS / "gil_spin.py"), "--good"], None),
        "demo": (tmp / "d.perftui", [PY, "-m", "perftui.host.demo"], None)}
    out: dict[str, Any] = record_all(jobs, durations={"demo": 6.0})
    out["handoff_counts"] = json.loads((tmp / "h.json").read_text())
    return out


def test_context_switch_storm_counts_two_switches_per_message(runs: dict[str, Any]) -> None:
    f = worst(runs["handoff"], "context_switch_storm")
    assert at_least_warning(f)
    assert f["where"]["thread"] in ("ping", "pong") and f["evidence"]["busy_threads"] >= 2
    truth = runs["handoff_counts"]
    # Each round trip blocks ping once and pong once: at least two switches.
    per_s = truth["round_trips"] / truth["seconds"]
    assert f["figure"] >= 1.5 * per_s * truth["seconds"] / f["evidence"]["window_s"]


def test_high_system_time_on_one_byte_handoffs(runs: dict[str, Any]) -> None:
    f = worst(runs["handoff"], "high_system_time")
    assert at_least_warning(f) and f["where"]["thread"] in ("ping", "pong")
    ev = f["evidence"]
    assert ev["system_share_percent"] >= 50
    cpu = runs["handoff"]["cpu"]["avg_percent"]  # the report's own CPU figure agrees
    assert (ev["user_s"] + ev["system_s"]) / ev["window_s"] * 100 == pytest.approx(cpu, rel=0.2)


def test_a_contended_mutex_is_lock_contention_not_the_gil(runs: dict[str, Any]) -> None:
    f = worst(runs["lock"], "lock_contention")
    assert at_least_warning(f)
    assert f["evidence"]["waiters"] == 3 and f["where"]["thread"] == "worker"
    assert f["evidence"]["mean_wait_us"] < 1000  # short holds: ~20 us each
    assert not of_kind(runs["lock"], "gil_contention")


def test_python_threads_queueing_for_the_gil_are_gil_contention(runs: dict[str, Any]) -> None:
    f = worst(runs["gil"], "gil_contention")
    assert at_least_warning(f)
    assert f["where"]["thread"].startswith("spin-") and f["evidence"]["waiters"] >= 3
    assert not of_kind(runs["gil"], "lock_contention")


def test_the_gil_finding_names_the_function_the_waiting_thread_runs(
        runs: dict[str, Any]) -> None:
    if "pyspy" not in runs["gil"]["coverage"]["probes"]:
        pytest.skip("py-spy did not sample this run (it could not attach)")
    assert worst(runs["gil"], "gil_contention")["where"]["function"].startswith("spin (")


@pytest.mark.parametrize("name", ["handoff_good", "lock_good", "gil_good"])
def test_the_same_work_done_well_raises_nothing_above_info(runs: dict[str, Any],
                                                           name: str) -> None:
    assert "findings" in runs[name] and not above_info(runs[name]), above_info(runs[name])


@pytest.mark.parametrize("name", ["pool", "idle", "demo"])
def test_idle_threads_waiting_are_not_contention(runs: dict[str, Any], name: str) -> None:
    report = runs[name]
    assert not of_kind(report, "lock_contention") and not of_kind(report, "gil_contention")
    assert "findings" in report and not above_info(report), above_info(report)
