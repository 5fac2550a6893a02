"""Probe processes under test: ``python -m perftui.probes.<name>`` started on a pid, their
frames read as they come (see probe_frames.ProbeFrames)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from perftui.model.model import Model
from tests.support.paths import REPO
from tests.support.probe_frames import ProbeFrames

Frame = dict[str, Any]

READY_TIMEOUT = 90.0  # eBPF: compiling takes up to ~7 s on a busy 2-core machine; leave room


class Probe(ProbeFrames):
    """A running probe (``python -m perftui.probes.pyspy`` by default) and the frames it wrote so
    far."""

    def __init__(self, pid: int, *args: str, env: dict[str, str] | None = None,
                 python: str = sys.executable, cwd: Path | str = REPO,
                 preexec: Callable[[], None] | None = None, module: str = "perftui.probes.pyspy",
                 ) -> None:
        self.proc = subprocess.Popen(
            [python, "-m", module, "--pid", str(pid), *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
            env=env, preexec_fn=preexec)
        super().__init__(self.proc)

    def kind(self, k: str) -> list[Frame]:
        with self._cond:
            return [f for f in self.frames if f["k"] == k]

    def finish(self, timeout: float = 30.0) -> tuple[int, str]:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        with self._cond:
            self._cond.wait_for(lambda: self._done, 5)
        assert self.proc.stderr is not None
        return self.proc.returncode, self.proc.stderr.read().decode()

    def pyspy_children(self) -> list[psutil.Process]:
        try:
            kids = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        return [k for k in kids if "py-spy" in " ".join(_cmdline(k))]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def _cmdline(p: psutil.Process) -> list[str]:
    try:
        return p.cmdline()
    except psutil.Error:
        return []


class StacksProbe(Probe):
    def __init__(self, pid: int, *args: str, env: dict[str, str] | None = None) -> None:
        super().__init__(pid, *args, env=env, module="perftui.probes.stacks")


def stacks_model(probe: Probe) -> Model:
    """A Model fed every frame the stacks probe wrote."""
    model = Model()
    for frame in probe.frames:
        model.apply("stacks", frame)
    return model
