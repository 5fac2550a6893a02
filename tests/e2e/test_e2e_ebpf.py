"""End to end as root: the probes perftui picks, run by LiveSource, into the Model, on a
target making a known number of reads (tests/targets/syscall_target.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perftui.host.probeselect import select_probes
from perftui.model import Model
from perftui.sources.live import LiveSource
from perftui.views.snapshot import build_snapshot
from tests.support.paths import TARGETS
from tests.support.probes import READY_TIMEOUT
from tests.support.skips import bcc_missing

pytestmark = [pytest.mark.root,
              pytest.mark.skipif(bcc_missing() is not None, reason=str(bcc_missing()))]

TARGET = TARGETS / "syscall_target.py"


class Sink:
    def __init__(self) -> None:
        self.model = Model()
        self.cond = threading.Condition()
        self.first: dict[str, float] = {}  # stream -> monotonic time of its first frame

    def __call__(self, stream: str, raw: bytes, frame: dict[str, Any]) -> None:
        with self.cond:
            self.first.setdefault(stream, time.monotonic())
            self.model.apply(stream, frame)
            self.cond.notify_all()

    def wait(self, pred: Callable[[Model], bool], timeout: float) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: pred(self.model), timeout), \
                f"timed out; probes: {self.model.probes}"


def test_live_view_counts_the_targets_reads_exactly(tmp_path: Path) -> None:
    n, size = 2000, 512
    path = tmp_path / "data"
    path.write_bytes(os.urandom(n * size))
    target = subprocess.Popen([sys.executable, str(TARGET), "read", str(n), str(size),
                               str(path)], stdout=subprocess.PIPE, text=True)
    assert target.stdout is not None and target.stdout.readline().strip() == "ready"
    probes = list(select_probes(target.pid, python=False, native_stacks=False).probes)
    assert [p.name for p in probes] == ["procfs", "ebpf"]
    sink = Sink()
    source = LiveSource(target.pid, 0.2, probes=probes)
    t0 = time.monotonic()
    try:
        source.start(sink)
        # The view starts on procfs at once; the eBPF probe compiles in the background.
        sink.wait(lambda m: m.process.samples > 0, 10)
        procfs_s = sink.first["procfs"] - t0
        sink.wait(lambda m: m.sys.frames > 0, READY_TIMEOUT)
        ebpf_s = time.monotonic() - t0
        assert procfs_s < 3.0
        target.send_signal(signal.SIGUSR1)
        assert target.wait(60) == 0
        sink.wait(lambda m: m.probe("ebpf").state == "finished", 20)
        with sink.cond:
            snap = build_snapshot(sink.model)
    finally:
        source.stop()
        if target.poll() is None:
            target.kill()
            target.wait()
    rows = {r.name: r for r in snap.syscalls.rows}
    # The target's own calls besides its reads (interpreter, sigwait return) are few.
    assert n <= rows["read"].total <= n + 50, rows["read"]
    files = {f.path: f for f in snap.fileio.rated}
    assert files[str(path)].read_total == n * size
    assert sum(rows["read"].lat) >= n  # every read was timed (sampled ones count K)
    assert snap.syscalls.source == "eBPF (ebpf probe)"
    print(f"first procfs frame {procfs_s:.2f} s, first ebpf sys frame {ebpf_s:.2f} s")
