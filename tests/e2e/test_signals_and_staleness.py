"""The live view as an unlucky on-call engineer meets it: the ssh link drops (SIGHUP), the
host asks it to stop (SIGTERM), a probe hangs (SIGSTOP).  Real app in tmux, real probes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from perftui.session import SessionReader
from tests.support.skips import needs_pyspy
from tests.support.tmux_driver import Tmux, probe_live

pytestmark = pytest.mark.tmux
PERFTUI = [sys.executable, "-m", "perftui"]


def app_process(t: Tmux) -> psutil.Process:
    """The perftui process running in the tmux pane."""
    shell = psutil.Process(int(t.display("#{pane_pid}")))
    for child in shell.children(recursive=True):
        if "perftui" in " ".join(child.cmdline()) and "-c" not in child.cmdline()[1:3]:
            return child
    raise AssertionError("no perftui process in the pane")


def probe_of(app: psutil.Process, name: str) -> psutil.Process:
    for child in app.children():
        if f"perftui.probes.{name}" in child.cmdline():
            return child
    raise AssertionError(f"no {name} probe under {app.pid}")


def modes(t: Tmux) -> str:
    return t.display("alt=#{alternate_on} mouse=#{mouse_any_flag} cursor=#{cursor_flag}")


def temp_of(pid: int) -> list[str]:
    return [n for n in os.listdir(tempfile.gettempdir()) if f"-{pid}-" in n
            and n.startswith("perftui-")]


@needs_pyspy
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_signal_ends_the_view_like_q(target: subprocess.Popen[str], tmp_path: Path,
                                       sig: signal.Signals) -> None:
    rec = tmp_path / "live.perftui"
    t = Tmux([*PERFTUI, "-p", str(target.pid), "-d", "0.5", "--record", str(rec)], 120, 40)
    try:
        t.wait_for(lambda s: "busy-worker" in s and probe_live(s, "pyspy"), timeout=60)
        app = app_process(t)
        pyspy = probe_of(app, "pyspy")
        assert temp_of(pyspy.pid), "the pyspy probe keeps its chunks in a temporary dir"
        assert modes(t) == "alt=1 mouse=1 cursor=0"
        app.send_signal(sig)
        t.wait_for(lambda s: f"EXITED={128 + sig}" in s, timeout=20)
        assert modes(t) == "alt=0 mouse=0 cursor=1"  # the terminal as it was
        assert not temp_of(pyspy.pid)
        with SessionReader(str(rec)) as reader:  # closed with its index
            assert reader.closed_cleanly and reader.index().frames > 0
    finally:
        t.kill()


def test_the_demo_leaves_nothing_in_tmp_after_q() -> None:
    before = {n for n in os.listdir(tempfile.gettempdir()) if n.startswith("perftui-demo-")}
    t = Tmux([*PERFTUI, "--probes", "procfs", "-d", "0.5"], 120, 40)
    try:
        t.wait_for(lambda s: "io-worker" in s, timeout=30)
        now = {n for n in os.listdir(tempfile.gettempdir()) if n.startswith("perftui-demo-")}
        assert now - before, "the demo's io worker writes a temporary file"
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
        time.sleep(1)
        after = {n for n in os.listdir(tempfile.gettempdir()) if n.startswith("perftui-demo-")}
        assert not (after - before)
    finally:
        t.kill()


def test_a_stopped_probe_is_called_stale_then_live_again(target: subprocess.Popen[str]) -> None:
    t = Tmux([*PERFTUI, "-p", str(target.pid), "-d", "0.5", "--probes", "procfs"], 160, 40)
    try:
        t.wait_for(lambda s: probe_live(s, "procfs") and "busy-worker" in s)
        procfs = probe_of(app_process(t), "procfs")
        procfs.suspend()
        try:
            def marked(screen: str) -> bool:  # the header and the panes' titles
                lines = screen.splitlines()
                return bool(re.search(r"procfs ⏸ stale: no data for \d+ s", lines[1])) and all(
                    any("stale: no data for" in line and title in line for line in lines)
                    for title in ("CPU & th", "Memory", "Network", "Syscalls"))

            t.wait_for(marked, timeout=15)
        finally:
            procfs.resume()
        t.wait_for(lambda s: probe_live(s, "procfs") and "stale" not in s, timeout=15)
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
    finally:
        t.kill()
