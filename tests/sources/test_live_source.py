"""LiveSource against real processes: probes started, supervised, restarted, stopped."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil
import pytest

from perftui.host.target import spawn
from perftui.sources.live import LiveSource
from tests.support.paths import TARGETS

TARGET = TARGETS / "named_workers.py"


class Collector:
    def __init__(self) -> None:
        self.frames: list[tuple[str, dict[str, Any]]] = []
        self.cond = threading.Condition()

    def __call__(self, stream: str, raw: bytes, frame: dict[str, Any]) -> None:
        with self.cond:
            self.frames.append((stream, frame))
            self.cond.notify_all()

    def wait_for(self, pred: Callable[[str, dict[str, Any]], bool], timeout: float = 15.0,
                  after: int = 0) -> tuple[str, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for item in self.frames[after:]:
                    if pred(*item):
                        return item
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"frame not seen; got {[f['k'] for _, f in self.frames]}")
                self.cond.wait(left)


def probe_pids(source_owner: int) -> list[int]:
    return [c.pid for c in psutil.Process(source_owner).children(recursive=True)
            if "perftui.probes.procfs" in " ".join(c.cmdline())]


def test_frames_flow_in_order_and_stop_leaves_no_probe(target: subprocess.Popen[str]) -> None:
    got = Collector()
    src = LiveSource(target.pid, interval=0.2)
    src.start(got)
    got.wait_for(lambda s, f: s == "procfs" and f["k"] == "sample" and f["seq"] >= 3)
    kinds = [(s, f["k"]) for s, f in got.frames]
    assert kinds[0] == ("perftui", "probe")  # "starting" comes before anything the probe says
    procfs = [k for s, k in kinds if s == "procfs"]
    assert procfs[:3] == ["hello", "meta", "sample"]
    assert ("perftui", "self") in kinds
    names = {t[1] for t in got.wait_for(lambda s, f: f["k"] == "sample")[1]["threads"]}
    assert {"busy-worker", "idle-a", "idle-b"} <= names
    assert probe_pids(os.getpid())
    src.stop()
    assert probe_pids(os.getpid()) == []


def test_a_killed_probe_is_reported_and_restarted(target: subprocess.Popen[str]) -> None:
    got = Collector()
    src = LiveSource(target.pid, interval=0.2)
    src.start(got)
    try:
        got.wait_for(lambda s, f: f["k"] == "sample")
        (victim,) = probe_pids(os.getpid())
        os.kill(victim, signal.SIGKILL)
        _, restarting = got.wait_for(lambda s, f: f["k"] == "probe"
                                     and f["state"] == "restarting")
        assert "killed by signal 9" in restarting["msg"]
        mark = len(got.frames)
        got.wait_for(lambda s, f: s == "procfs" and f["k"] == "hello", after=mark)
        got.wait_for(lambda s, f: s == "procfs" and f["k"] == "sample", after=mark)
        assert probe_pids(os.getpid()) not in ([], [victim])
    finally:
        src.stop()


def test_target_exit_ends_the_probe_without_restart(target: subprocess.Popen[str]) -> None:
    got = Collector()
    src = LiveSource(target.pid, interval=0.2)
    src.start(got)
    try:
        got.wait_for(lambda s, f: f["k"] == "sample")
        target.kill()
        target.wait()
        got.wait_for(lambda s, f: s == "procfs" and f["k"] == "gone")
        got.wait_for(lambda s, f: f["k"] == "probe" and f["state"] == "finished")
        time.sleep(1.0)
        assert not any(f["k"] == "probe" and f["state"] == "restarting" for _, f in got.frames)
        assert src._thread is not None and src._thread.is_alive()  # still serving the app
    finally:
        src.stop()


def test_exit_status_of_a_started_command() -> None:
    t = spawn([sys.executable, str(TARGET), "--exit-after", "1", "--exit-code", "3"])
    got = Collector()
    src = LiveSource(t.pid, interval=0.2, child=t.child)
    src.start(got)
    try:
        _, ex = got.wait_for(lambda s, f: s == "perftui" and f["k"] == "exit")
        assert (ex["code"], ex["signal"]) == (3, None)
    finally:
        src.stop()


def test_set_interval_reaches_the_probe(target: subprocess.Popen[str]) -> None:
    got = Collector()
    src = LiveSource(target.pid, interval=1.0)
    src.start(got)
    try:
        got.wait_for(lambda s, f: f["k"] == "sample")
        src.set_interval(0.1)
        time.sleep(0.5)  # let the command land
        mark = len(got.frames)
        time.sleep(1.5)
        samples = [f["ts"] for s, f in got.frames[mark:] if s == "procfs" and f["k"] == "sample"]
        assert len(samples) >= 8, samples  # 1.5 s at 0.1 s, not at 1 s
    finally:
        src.stop()


def test_early_start_buffers_until_the_app_attaches(target: subprocess.Popen[str]) -> None:
    from perftui.sources.early import EarlyStartSource

    src = EarlyStartSource(LiveSource(target.pid, interval=0.2))
    try:
        time.sleep(1.5)  # the probe runs and samples before anyone listens
        got = Collector()
        src.start(got)
        first = list(got.frames)
        assert [f["k"] for s, f in first if s == "procfs"][:3] == ["hello", "meta", "sample"]
        got.wait_for(lambda s, f: s == "procfs" and f["k"] == "sample", after=len(first))
        seqs = [f["seq"] for s, f in got.frames if s == "procfs"]
        assert seqs == list(range(len(seqs)))  # nothing lost or reordered at the hand-over
    finally:
        src.stop()


def _pyspy_pids() -> list[int]:
    return [c.pid for c in psutil.Process(os.getpid()).children(recursive=True)
            if "perftui.probes.pyspy" in " ".join(c.cmdline())]


@pytest.mark.skipif(shutil.which("py-spy") is None, reason="py-spy is not installed")
def test_a_probe_added_while_running_takes_commands_kept_across_restarts(
        target: subprocess.Popen[str]) -> None:
    from perftui.host.probeselect import pyspy_spec
    from perftui.sources.early import EarlyStartSource

    got = Collector()
    # Through the early-start wrapper, as the app holds it.
    src = EarlyStartSource(LiveSource(target.pid, interval=1.0))
    src.start(got)
    try:
        got.wait_for(lambda s, f: s == "procfs" and f["k"] == "sample")
        assert src.command("pyspy", "option idle on") == "no pyspy probe runs for this target"
        assert src.add_probe(pyspy_spec()) is None
        assert src.add_probe(pyspy_spec()) == "the pyspy probe runs already"
        got.wait_for(lambda s, f: s == "perftui" and f["k"] == "probe" and f["name"] == "pyspy"
                     and f["state"] == "starting")
        got.wait_for(lambda s, f: s == "pyspy" and f["k"] == "chunk")
        got.wait_for(lambda s, f: f["k"] == "self" and "pyspy" in f["probes"])  # its CPU counts
        assert src.command("pyspy", "option idle on") is None
        _, opts = got.wait_for(lambda s, f: s == "pyspy" and f["k"] == "options")
        assert opts["idle"] is True
        # A restarted probe starts from its command line, then gets the option again.
        (victim,) = _pyspy_pids()
        os.kill(victim, signal.SIGKILL)
        mark = len(got.frames)
        _, hello = got.wait_for(lambda s, f: s == "pyspy" and f["k"] == "hello", after=mark)
        assert "--idle" not in hello["options"]
        _, again = got.wait_for(lambda s, f: s == "pyspy" and f["k"] == "options", after=mark)
        assert again["idle"] is True
    finally:
        src.stop()
    assert _pyspy_pids() == []


def test_replay_sources_offer_no_probe_control() -> None:
    """A replay's probes cannot be steered: it is a FrameSource and a Transport, never a
    ProbeControl, so the app has nothing to send commands to (the UI says why)."""
    from perftui.sources.base import FrameSource, ProbeControl, Transport
    from perftui.sources.canned import CannedSource
    from perftui.sources.live import LiveSource
    from perftui.sources.replay import ReplaySource

    src = CannedSource([])
    assert isinstance(src, FrameSource) and not isinstance(src, ProbeControl)
    assert not hasattr(ReplaySource, "command") and not hasattr(ReplaySource, "add_probe")
    assert hasattr(ReplaySource, "seek_offset") and hasattr(ReplaySource, "toggle")
    assert all(hasattr(LiveSource, m) for m in ("command", "add_probe", "set_interval"))
    assert not isinstance(src, Transport)
