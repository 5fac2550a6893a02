"""The real ``perftui`` command in a child process (``python -m perftui``), and reading the
session file a ``record`` is writing."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jsonschema

from perftui.session import SessionReader
from tests.support.paths import REPO


def perftui(*args: str, cwd: Path | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``perftui ARGS``; every ``report --json`` and ``diff --json`` it prints is checked
    against the documented schema (docs/*.schema.json) on the way."""
    done = subprocess.run([sys.executable, "-m", "perftui", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    if done.returncode == 0 and "--json" in args and args and args[0] in ("report", "diff"):
        check_schema(args[0], json.loads(done.stdout))
    return done


@functools.cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = json.loads((REPO / "docs" / f"{kind}.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def check_schema(kind: str, document: object) -> None:
    """Raise AssertionError naming every place ``document`` departs from the schema of
    ``kind`` ("report" or "diff")."""
    errors = sorted(_validator(kind).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}"
                                  for e in errors[:10])


def start_record(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "perftui", "record", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, cwd=cwd,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def has_frame(path: Path, stream: str, kind: str) -> bool:
    """Whether the session ``record`` is writing to ``path`` has a ``kind`` frame of
    ``stream`` yet (the ebpf probe's ``caps``: attached; pyspy's first ``chunk``)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        with SessionReader(str(path)) as r:
            return any(s == stream and f["k"] == kind for s, _, f in r.frames())
    except Exception:  # the header may be half-written at the very start
        return False


def samples_in(path: Path) -> list[float]:
    """Timestamps of the procfs samples readable from ``path`` now (it may be growing)."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    with SessionReader(str(path)) as r:
        return [f["ts"] for s, _, f in r.frames() if s == "procfs" and f["k"] == "sample"]


def wait_samples(path: Path, n: int, timeout: float = 20) -> list[float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = samples_in(path)
        except Exception:  # the header may be half-written at the very start
            found = []
        if len(found) >= n:
            return found
        time.sleep(0.1)
    raise AssertionError(f"fewer than {n} samples in {path}")
