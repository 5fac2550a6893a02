"""Golden tests: today's output of ``perftui report``, ``diff --json`` and ``export``.

Each case runs the real CLI (``sys.executable -m perftui ...``, cwd the repository root) on a
session file checked in under tests/golden/sessions/ (recorded from real targets by
make_sessions.py) and compares its stdout with tests/golden/expected/CASE.EXT exactly: JSON
outputs as parsed objects (floats included: the same file gives the same numbers at every
run), text outputs byte for byte.  Exit status and stderr are pinned too, in
expected/status.json.  They pin behaviour before a refactor, right or wrong: a change here is
deliberate only if the expected files are regenerated with
``python3 tests/golden/make_expected.py --update`` and the diff reviewed.

Nothing needs normalising: the session paths are passed relative to the repository root, the
cwd of every command, so the fields that echo them (diff's ``a`` and ``b``, speedscope's
``name``) are the same wherever the checkout lives; the outputs hold no current time.  The
text report is run with COLUMNS=120 so its table width does not depend on the terminal.

Standard library, pytest and subprocess only: make_expected.py imports CASES and run() from
here, not the other way round.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SESSIONS = "tests/golden/sessions"  # relative to REPO: see the module docstring
EXPECTED = HERE / "expected"
STATUS = EXPECTED / "status.json"

PYTHON_HOT = f"{SESSIONS}/python_hot.perftui"
NATIVE_C = f"{SESSIONS}/native_c.perftui"
IO_A = f"{SESSIONS}/io_a.perftui"
IO_B = f"{SESSIONS}/io_b.perftui"
ALL_SESSIONS = {"python_hot": PYTHON_HOT, "native_c": NATIVE_C, "io_a": IO_A, "io_b": IO_B}
EXPORT_FORMATS = ("json", "folded", "speedscope")  # python3 -m perftui export --help


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    kind: str  # "json" (compared parsed) or "text" (compared exactly)

    @property
    def expected(self) -> Path:
        ext = {"json": "json", "text": "txt"}[self.kind]
        if self.args[:1] == ("export",):
            ext = {"json": "json", "folded": "folded", "speedscope": "speedscope.json"}[
                self.args[2]]
        return EXPECTED / f"{self.name}.{ext}"


def _cases() -> list[Case]:
    cases = []
    for s, path in ALL_SESSIONS.items():
        cases.append(Case(f"report_json_{s}", ("report", "--json", path), "json"))
        cases.append(Case(f"report_text_{s}", ("report", path), "text"))
        for fmt in EXPORT_FORMATS:
            kind = "text" if fmt == "folded" else "json"
            cases.append(Case(f"export_{fmt}_{s}", ("export", "--format", fmt, path), kind))
    cases += [
        Case("diff_json_io_a_io_b", ("diff", "--json", IO_A, IO_B), "json"),
        Case("diff_json_io_b_io_a", ("diff", "--json", IO_B, IO_A), "json"),
        Case("diff_json_python_hot_self", ("diff", "--json", PYTHON_HOT, PYTHON_HOT), "json"),
        # Windows: the eBPF sections (syscalls, files) and the stacks against the procfs
        # figures over part of a session (from3_to4: the eBPF counts span more than
        # duration_s today; pinned as they are).
        Case("report_json_io_a_from2_to4",
             ("report", "--json", "--from", "2", "--to", "4", IO_A), "json"),
        Case("report_json_io_a_from3_to4",
             ("report", "--json", "--from", "3", "--to", "4", IO_A), "json"),
        Case("export_folded_python_hot_from1_to3",
             ("export", "--format", "folded", "--from", "1", "--to", "3", PYTHON_HOT), "text"),
    ]
    return cases


CASES = _cases()


def env() -> dict[str, str]:
    e = dict(os.environ)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR"):
        e.pop(name, None)  # colour or terminal overrides of rich: none, as on a pipe
    e.update(COLUMNS="120", LINES="50", TZ="UTC", PYTHONIOENCODING="utf-8",
             PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [e.get("PYTHONPATH")])]))
    return e


def run(args: tuple[str, ...] | list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perftui", *args], cwd=REPO, env=env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=60,
                          stdin=subprocess.DEVNULL)


def parse(case: Case, text: str) -> Any:
    return json.loads(text) if case.kind == "json" and text else text


def status_of(r: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    return {"returncode": r.returncode, "stderr": r.stderr}


@pytest.fixture(scope="module")
def statuses() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STATUS.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Case, statuses: dict[str, Any]) -> None:
    r = run(case.args)
    assert status_of(r) == statuses[case.name]
    assert parse(case, r.stdout) == parse(case, case.expected.read_text(encoding="utf-8"))
    kind = schema_kind(case)
    if kind and r.returncode == 0:
        from tests.support.cli import check_schema  # (make_expected.py imports this module)

        check_schema(kind, parse(case, r.stdout))


def schema_kind(case: Case) -> str | None:
    """Which documented schema a case's output follows (``export --format json`` writes the
    report), if any."""
    if case.kind != "json":
        return None
    if case.args[0] == "diff":
        return "diff"
    if case.args[0] == "report" or case.args[:3] == ("export", "--format", "json"):
        return "report"
    return None


def test_every_expected_file_has_a_case() -> None:
    names = {c.expected.name for c in CASES} | {STATUS.name}
    assert sorted(p.name for p in EXPECTED.iterdir()) == sorted(names)
    assert set(json.loads(STATUS.read_text(encoding="utf-8"))) == {c.name for c in CASES}


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_to_file_is_stdout(fmt: str, tmp_path: Path) -> None:
    """``export -o FILE`` writes what ``export`` prints (here, the expected output)."""
    out = tmp_path / f"out.{fmt}"
    r = run(("export", "--format", fmt, "-o", str(out), PYTHON_HOT))
    assert r.returncode == 0, r.stderr
    case = next(c for c in CASES if c.name == f"export_{fmt}_python_hot")
    expected = case.expected.read_text(encoding="utf-8")
    assert parse(case, out.read_text(encoding="utf-8")) == parse(case, expected)
