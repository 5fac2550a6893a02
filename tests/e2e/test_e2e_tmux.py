"""The real ``perftui`` in a real terminal (tmux), attached to a real process."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.paths import TARGETS
from tests.support.tmux_driver import Tmux

pytestmark = pytest.mark.tmux

TARGET = TARGETS / "named_workers.py"
PERFTUI = [sys.executable, "-m", "perftui"]


def busy_cpu(screen: str) -> float | None:
    m = re.search(r"busy-worker\s+\S+\s+([\d.]+)\s*%", screen)
    return float(m.group(1)) if m else None


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_attach_shows_the_target_and_its_threads(target: subprocess.Popen[str],
                                                 size: tuple[int, int]) -> None:
    t = Tmux([*PERFTUI, "-p", str(target.pid), "-d", "0.5"], *size)
    try:
        screen = t.wait_for(lambda s: busy_cpu(s) is not None and (busy_cpu(s) or 0) > 5)
        assert str(target.pid) in screen
        assert "named_workers" in screen
        # The spinning thread tops the table with a CPU share a core can give.
        cpu = busy_cpu(screen)
        assert cpu is not None and 5 < cpu <= 105
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
    finally:
        t.kill()


def test_keys_pause_help_and_quit(target: subprocess.Popen[str]) -> None:
    t = Tmux([*PERFTUI, "-p", str(target.pid)], 120, 40)
    try:
        t.wait_for(lambda s: "busy-worker" in s)
        t.keys("p")
        t.wait_for(lambda s: "PAUSED" in s)
        t.keys("space")
        t.wait_for(lambda s: "PAUSED" not in s)
        t.keys("?")
        t.wait_for(lambda s: "pause" in s.lower() and "quit" in s.lower() and "theme" in s.lower())
        t.keys("Escape")
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
    finally:
        t.kill()


def test_target_exit_is_shown_and_the_app_stays(target: subprocess.Popen[str]) -> None:
    t = Tmux([*PERFTUI, "--", sys.executable, str(TARGET), "--exit-after", "3",
              "--exit-code", "7"], 120, 40)
    try:
        screen = t.wait_for(lambda s: "exit status 7" in s, timeout=30)
        assert "busy-worker" in screen  # the last data stays on screen
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
    finally:
        t.kill()


def test_demo_runs_with_no_target() -> None:
    t = Tmux([*PERFTUI], 120, 40)
    try:
        screen = t.wait_for(lambda s: "cruncher" in s and "demo" in s, timeout=30)
        assert "leaky-cache" in screen or "hasher" in screen
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
    finally:
        t.kill()
