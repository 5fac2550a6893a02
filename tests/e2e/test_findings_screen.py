"""Findings in the real app (tmux): a target doing file and syscall work badly gets the
findings line under the header; ``!`` lists each finding with its evidence and fix, and
``enter`` opens the detail of the guilty syscall.  Its healthy twin gets no warning."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.support.paths import REPO, TARGETS
from tests.support.skips import bcc_missing
from tests.support.tmux_driver import Tmux, probe_live

pytestmark = [pytest.mark.tmux,
              pytest.mark.skipif(bcc_missing() is not None, reason=bcc_missing() or "")]


def run(tmp_path: Path, *extra: str) -> Tmux:
    return Tmux([sys.executable, "-m", "perftui", "--", sys.executable,
                 str(TARGETS / "findings_files.py"), "--seconds", "60", *extra, str(tmp_path)],
                120, 40, env={"PYTHONPATH": str(REPO)})


def test_bang_lists_the_findings_and_enter_shows_the_evidence(tmp_path: Path) -> None:
    t = run(tmp_path)
    try:
        # the header's second line leads with the most severe finding (the half-ms napper)
        t.wait_for(lambda s: "CRITICAL" in s.splitlines()[1] and "napper" in s, timeout=45)
        t.keys("!")
        screen = t.wait_for(lambda s: "Findings ·" in s and "small_io" in s and "fix" in s)
        assert "polling" in screen and "/OUT" in screen, screen
        first = next(i for i, ln in enumerate(screen.splitlines()) if "▶" in ln)
        assert "polling" in screen.splitlines()[first], screen
        t.keys("Enter")  # the polling finding: the detail of the sleep it spins on
        t.wait_for(lambda s: "Syscall clock_nanosleep" in s and "Latency" in s)
        t.keys("Escape")
        t.wait_for(lambda s: "CPU & threads" in s and "Syscall clock" not in s)
        t.keys("q")
        t.wait_for(lambda s: "EXITED=" in s)
    finally:
        t.kill()


def test_the_same_work_done_well_raises_no_warning(tmp_path: Path) -> None:
    t = run(tmp_path, "--good")
    try:
        t.wait_for(lambda s: probe_live(s, "ebpf") and probe_live(s, "pyspy"), timeout=45)
        t.keys("!")
        t.wait_for(lambda s: "Findings" in s, timeout=10)
        t.keys("Escape")
        time.sleep(12)  # a window and a hold past the start
        screen = t.screen()
        assert "CRITICAL" not in screen and "WARNING" not in screen, screen
        t.keys("!")
        screen = t.wait_for(lambda s: "Findings" in s)
        assert "WARNING" not in screen and "CRITICAL" not in screen, screen
        t.keys("Escape", "q")
        t.wait_for(lambda s: "EXITED=" in s)
    finally:
        t.kill()
