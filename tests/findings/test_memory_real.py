"""memory_growth on a real target that keeps 4 MiB a second (procfs alone: no root needed),
and on its twin that allocates as much but lets it go."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.support.findings import above_info, at_least_warning, record_all, worst
from tests.support.paths import TARGETS

TARGET = str(TARGETS / "leak.py")
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("memory")
    return record_all({
        "leak": (tmp / "l.perftui", [sys.executable, TARGET], "procfs"),
        "good": (tmp / "g.perftui", [sys.executable, TARGET, "--good"], "procfs")})


def test_memory_growth_measures_what_the_target_keeps(runs: dict[str, Any]) -> None:
    f = worst(runs["leak"], "memory_growth")
    assert at_least_warning(f)
    assert f["figure"] == pytest.approx(4 * MiB, rel=0.25)  # bytes per second kept
    mem = runs["leak"]["memory"]
    assert f["evidence"]["grown_bytes"] == pytest.approx(
        mem["rss_end_bytes"] - mem["rss_start_bytes"], rel=0.1)


def test_memory_let_go_is_not_growth(runs: dict[str, Any]) -> None:
    good = runs["good"]
    assert "findings" in good and not above_info(good), above_info(good)


def test_kinds_without_their_data_say_so(runs: dict[str, Any]) -> None:
    """Without the eBPF probe, the kinds that need it are listed with the reason."""
    missing = {m["kind"]: m["why"] for m in runs["leak"]["findings_missing"]}
    assert {"repeated_open", "stat_storm", "polling", "lock_contention", "gil_contention",
            "connection_churn", "chatty_io", "syscall_errors", "small_io"} == set(missing)
    assert all("eBPF probe is not running" in why for why in missing.values())
