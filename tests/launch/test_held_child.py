"""The launch wrapper: a started command is held before its exec, under its final PID, and
never runs when perftui goes away first; its exit is seen without reaping it."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from perftui.sources.launch import WRAPPER_EXIT_ABANDONED, HeldChild, LaunchError
from tests.support.paths import REPO


def _state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return stat[stat.rfind(b")") + 2:][:1].decode()


def _wait_state(pid: int, wanted: set[str | None], timeout: float = 10) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = _state(pid)
        if s in wanted:
            return s
        time.sleep(0.02)
    raise AssertionError(f"pid {pid} stayed in state {_state(pid)}")


def test_held_until_released_same_pid_then_not_reaped_until_asked(tmp_path: Path) -> None:
    out = tmp_path / "pid"
    child = HeldChild(["sh", "-c", f"echo $$ > {out}; exit 7"], output_fd=2)
    time.sleep(0.3)
    assert not out.exists()  # held: the command has not run
    assert child.exited() is None
    assert child.release() == ""
    assert child.exec_ts is not None and child.exec_ts >= (child.released_ts or 0)
    _wait_state(child.pid, {"Z"})
    status = child.exited()
    assert status is not None and status.code == 7 and status.signal is None
    assert _state(child.pid) == "Z"  # seen, not reaped: its /proc entry is still there
    assert int(out.read_text()) == child.pid  # the command ran under the held PID
    assert child.reap() == status
    assert _state(child.pid) is None


def test_the_command_gets_default_signals_and_its_own_argv0(tmp_path: Path) -> None:
    child = HeldChild(["sleep", "5"], output_fd=2)
    child.release()
    try:
        status = Path(f"/proc/{child.pid}/status").read_text()
        ignored = int(next(line.split()[1] for line in status.splitlines()
                           if line.startswith("SigIgn:")), 16)
        assert not ignored & (1 << (signal.SIGPIPE - 1))  # Python's own SIG_IGN is undone
        cmdline = Path(f"/proc/{child.pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[:2] == [b"sleep", b"5"]
    finally:
        child.end()
    assert child.exited() is not None and _state(child.pid) is None


def test_a_missing_or_unrunnable_command_is_an_error_before_anything_starts(
        tmp_path: Path) -> None:
    with pytest.raises(LaunchError, match="command not found: no-such-cmd-xyz"):
        HeldChild(["no-such-cmd-xyz"], output_fd=2)
    script = tmp_path / "noexec.sh"
    script.write_text("#!/bin/sh\n")
    with pytest.raises(LaunchError, match="permission denied"):
        HeldChild([str(script)], output_fd=2)


def test_ended_while_held_the_command_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    child = HeldChild(["touch", str(marker)], output_fd=2)
    child.end()
    status = child.exited()
    assert status is not None and status.code == WRAPPER_EXIT_ABANDONED
    assert not marker.exists()


def test_perftui_killed_while_the_child_waits_leaks_nothing(tmp_path: Path) -> None:
    """SIGKILL on the process holding the child: the wrapper sees its pipe close and
    exits without running the command."""
    marker = tmp_path / "ran"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(REPO)!r})
            from perftui.sources.launch import HeldChild
            child = HeldChild(["touch", {str(marker)!r}], output_fd=2)
            print(child.pid, flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    pid = int(holder.stdout.readline())
    assert _state(pid) in ("S", "R")
    holder.kill()
    holder.wait()
    # Orphaned, it exits at once; whoever adopts it reaps it (or it is left a zombie).
    _wait_state(pid, {None, "Z"})
    time.sleep(0.2)
    assert not marker.exists()
