"""The real app in tmux, as root with the eBPF probe, on a target whose two threads call
getppid at 3:1: the Syscalls pane, up/down, enter, and the detail's split by thread."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.paths import TARGETS
from tests.support.probes import READY_TIMEOUT
from tests.support.skips import bcc_missing
from tests.support.tmux_driver import Tmux

pytestmark = [pytest.mark.tmux, pytest.mark.root,
              pytest.mark.skipif(bcc_missing() is not None, reason=str(bcc_missing()))]

TARGET = TARGETS / "steady_syscalls.py"


def table_rows(screen: str) -> list[str]:
    """Syscall names in the pane's table, top to bottom (the right half of the screen)."""
    lines = screen.splitlines()
    head = next(i for i, line in enumerate(lines) if "SYSCALL" in line)
    col = lines[head].index("SYSCALL")
    names = []
    for line in lines[head + 1:]:
        cell = line[col:].split()
        if not cell or not re.fullmatch(r"[a-z_0-9]+", cell[0]):
            break
        names.append(cell[0])
    return names


def thread_share(screen: str, name: str) -> float | None:
    m = re.search(rf"\d+ {name}\s+\S+/s\s+([\d.]+)%", screen)
    return float(m.group(1)) if m else None


def test_enter_on_a_highlighted_syscall_shows_its_threads() -> None:
    target = subprocess.Popen([sys.executable, str(TARGET)], stdout=subprocess.PIPE, text=True)
    assert target.stdout is not None
    _ready, tid_a, tid_b = target.stdout.readline().split()
    t = Tmux([sys.executable, "-m", "perftui", "-p", str(target.pid),
              "--probes", "procfs,ebpf"], 120, 40)
    try:
        screen = t.wait_for(lambda s: "getppid" in s and "SYSCALL" in s, timeout=READY_TIMEOUT)
        t.keys("Tab", "Tab", "Tab", "Tab")  # CPU, Memory, File I/O, Network, Syscalls
        screen = t.wait_for(lambda s: "getppid" in table_rows(s))
        rows = table_rows(screen)
        t.keys(*["Down"] * (rows.index("getppid") + 1), "Up")
        t.keys("Enter")
        # A 10-s window: wait until it holds several seconds of both threads.
        screen = t.wait_for(lambda s: "Syscall getppid" in s and "By thread" in s
                            and (thread_share(s, "caller-b") or 0) > 0, timeout=30)
        assert tid_a in screen and tid_b in screen, screen
        a, b = thread_share(screen, "caller-a"), thread_share(screen, "caller-b")
        assert a is not None and b is not None
        assert abs(a - 75) <= 10 and abs(b - 25) <= 10, screen  # 300/s and 100/s
        t.keys("Escape")
        t.wait_for(lambda s: "Syscall getppid" not in s and "SYSCALL" in s)
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
    finally:
        t.kill()
        target.kill()
        target.wait()
