"""The real ``perftui`` command in a child process (``python -m perftui``), and reading the
session file a ``record`` is writing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from perftui.session import SessionReader
from tests.support.paths import REPO


def perftui(*args: str, cwd: Path | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perftui", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def start_record(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "perftui", "record", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, cwd=cwd,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


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
