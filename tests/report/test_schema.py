"""The documented schemas (docs/report.schema.json, docs/diff.schema.json) hold what perftui
writes, and reject what it does not document: every ``report --json`` and ``diff --json``
the suite produces is checked against them (tests.support.cli.check_schema)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.golden.test_golden import CASES, schema_kind
from tests.support.cli import check_schema


def expected_json(kind: str) -> list[Any]:
    return [json.loads(c.expected.read_text()) for c in CASES if schema_kind(c) == kind]


@pytest.mark.parametrize("kind", ["report", "diff"])
def test_the_golden_outputs_follow_their_schema(kind: str) -> None:
    docs = expected_json(kind)
    assert docs
    for doc in docs:
        check_schema(kind, doc)


def test_an_undocumented_key_or_a_wrong_type_is_refused() -> None:
    report = expected_json("report")[0]
    extra = {**copy.deepcopy(report), "calls_total": 3}
    with pytest.raises(AssertionError, match="calls_total"):
        check_schema("report", extra)
    wrong = copy.deepcopy(report)
    wrong["syscalls"] = [{"name": "read", "calls": 3, "errors": 0, "p50_us": None,
                          "p95_us": None, "p99_us": None}]  # "calls": not the report's key
    with pytest.raises(AssertionError, match="count"):
        check_schema("report", wrong)
    diff = copy.deepcopy(expected_json("diff")[0])
    diff["metrics"][0]["regression"] = "yes"
    with pytest.raises(AssertionError, match="boolean"):
        check_schema("diff", diff)
