"""The process tree screen in the real app (tmux): ``T`` lists a launched shell's children,
the ended ones with their exit status, the running one as running."""

from __future__ import annotations

import sys

import pytest

from tests.support.paths import REPO
from tests.support.tmux_driver import Tmux

pytestmark = pytest.mark.tmux

SCRIPT = "sh -c 'exit 3'; sleep 0.2; sleep 30"


def test_t_shows_the_tree_with_exits() -> None:
    t = Tmux([sys.executable, "-m", "perftui", "--probes", "procfs", "--", "sh", "-c", SCRIPT],
             120, 40, env={"PYTHONPATH": str(REPO)})
    try:
        t.wait_for(lambda s: "procs (T)" in s, timeout=30)
        t.keys("T")
        screen = t.wait_for(lambda s: "Processes" in s and "└ sleep 30" in s and "exit 3" in s,
                            timeout=30)
        lines = screen.splitlines()
        running = next(ln for ln in lines if "└ sleep 30" in ln)
        assert "running" in running
        short = [ln for ln in lines if "└ sleep" in ln and "└ sleep 30" not in ln]
        assert short and all("exit 0" in ln for ln in short), short
        t.keys("Escape")
        t.wait_for(lambda s: "Processes ·" not in s and "CPU & threads" in s)
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
    finally:
        t.kill()
