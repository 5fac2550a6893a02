"""connection_churn and chatty_io on a real target (tests/targets/findings_net.py) talking
to servers in the test process, against the connections and sends it counted itself; the
twin with one kept connection each raises nothing above info."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from tests.support.findings import above_info, at_least_warning, record_all, worst
from tests.support.paths import TARGETS
from tests.support.sink import sinks
from tests.support.skips import bcc_missing

pytestmark = pytest.mark.skipif(bcc_missing() is not None, reason=str(bcc_missing()))
TARGET = str(TARGETS / "findings_net.py")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("net")
    with sinks(2) as (churn, chat):
        argv = [sys.executable, TARGET, str(churn), str(chat)]
        out: dict[str, Any] = record_all({
            "bad": (tmp / "b.perftui", [*argv, "--counts", str(tmp / "b.json")], None),
            "good": (tmp / "g.perftui", [*argv, "--good"], None)})
    out["counts"] = json.loads((tmp / "b.json").read_text())
    out["ports"] = (churn, chat)
    return out


def test_connection_churn_names_the_remote_and_counts_every_connection(
        runs: dict[str, Any]) -> None:
    f = worst(runs["bad"], "connection_churn")
    assert at_least_warning(f)
    assert f["where"]["remote"] == f"127.0.0.1:{runs['ports'][0]}"
    assert f["where"]["thread"] == "churner"
    # its own code, not the standard library's socket.create_connection it is in mostly
    assert ".churner (" in f["where"]["function"], f["where"]
    assert f["evidence"]["connections"] == runs["counts"]["connections"]


def test_chatty_io_names_the_remote_of_one_byte_sends(runs: dict[str, Any]) -> None:
    f = worst(runs["bad"], "chatty_io")
    assert at_least_warning(f)
    assert f["where"]["remote"] == f"127.0.0.1:{runs['ports'][1]}"
    assert f["evidence"]["sends"] == runs["counts"]["sends"]
    assert f["evidence"]["bytes_per_call"] == 1.0


def test_kept_connections_and_batched_sends_raise_nothing_above_info(
        runs: dict[str, Any]) -> None:
    good = runs["good"]
    assert "findings" in good and not above_info(good), above_info(good)
