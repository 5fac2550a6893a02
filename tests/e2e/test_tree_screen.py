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


def test_enter_on_a_child_shows_it_in_every_pane_and_escape_returns() -> None:
    """A pool's worker picked in the tree: the header and every pane name it, the hot
    functions are its own (the workers' hot function, not the parent's wait), and escape
    is the whole tree again."""
    target = str(REPO / "tests" / "targets" / "pool_hot.py")
    t = Tmux([sys.executable, "-m", "perftui", "--probes", "procfs,pyspy", "--",
              sys.executable, target, "60"], 120, 40, env={"PYTHONPATH": str(REPO)})
    try:
        t.wait_for(lambda s: "3 procs (T)" in s, timeout=40)
        t.keys("T")
        screen = t.wait_for(lambda s: s.count("└ ") == 2, timeout=30)
        worker = next(ln for ln in screen.splitlines() if "└ " in ln).split()[1]
        assert worker.isdigit(), screen
        t.keys("Down")
        t.keys("Enter")
        screen = t.wait_for(lambda s: f"pid {worker} " in s and "esc: whole tree" in s)
        assert f"Syscalls · pid {worker}" in screen or f"pid {worker}─" in screen, screen
        assert "target's connections" in screen, screen  # what it does not have, said
        t.keys("f")
        screen = t.wait_for(lambda s: f"pid {worker}: all threads" in s and "worker_hot" in s,
                            timeout=30)
        assert "Pool.map" not in screen  # the parent's frames are not the worker's
        t.keys("f")
        t.wait_for(lambda s: "esc: whole tree" in s and "CPU & threads" in s)
        t.keys("Escape")
        t.wait_for(lambda s: "esc: whole tree" not in s and "Memory──" in s)
        t.keys("q")
        t.wait_for(lambda s: "EXITED=" in s)
    finally:
        t.kill()
