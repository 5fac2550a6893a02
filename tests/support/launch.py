"""Building the exact-calls C target and reading what a recording of it reports."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.cli import perftui
from tests.support.paths import TARGETS

EXACT_C = TARGETS / "exact_calls.c"


def build_exact(tmp: Path) -> Path:
    exe = tmp / "exact_calls"
    subprocess.run(["cc", "-O1", "-o", str(exe), str(EXACT_C)], check=True)
    return exe


def report(session: Path) -> dict[str, Any]:
    done = perftui("report", "--json", str(session))
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def calls(rep: dict[str, Any], name: str) -> int | None:
    """The report's count of syscall ``name`` (None: not in the report at all)."""
    return next((s["count"] for s in rep.get("syscalls", []) if s["name"] == name), None)


def written(rep: dict[str, Any]) -> int:
    """Bytes written to files (the target's only writes are to its one file)."""
    return sum(f["write_bytes"] for f in rep.get("files", []))
