"""``r`` pressed mid-session in the real app (tmux): the recording counts from its own start,
not from the probes' attach.  The target logs the time of each of its writes: the writes the
recording reports are the ones made between its first and last eBPF readings."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from perftui.session import SessionReader
from tests.support.launch import report
from tests.support.paths import REPO, TARGETS
from tests.support.skips import bcc_missing
from tests.support.tmux_driver import Tmux

pytestmark = [pytest.mark.tmux, pytest.mark.root,
              pytest.mark.skipif(bcc_missing() is not None, reason=str(bcc_missing()))]

PERFTUI = [sys.executable, "-m", "perftui"]
ENV = {"PYTHONPATH": str(REPO)}
WRITE = 4096  # steady_mix.py's write size


def readings(session: Path) -> list[float]:
    """When each eBPF reading in the recording was taken (the prologue's baseline first)."""
    with SessionReader(str(session)) as reader:
        return [float(f.get("measured_ts") or f["ts"]) for s, _, f in reader.frames()
                if s == "ebpf" and f["k"] == "sys"]


def test_r_mid_session_records_only_its_own_window(tmp_path: Path) -> None:
    target = subprocess.Popen([sys.executable, str(TARGETS / "steady_mix.py"), str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    assert target.stdout is not None and target.stdout.readline().strip() == "ready"
    live = Tmux(["sh", "-c", f'cd "{tmp_path}" && exec "$@"', "sh", *PERFTUI, "-p",
                 str(target.pid)], 120, 40, env=ENV)
    try:
        live.wait_for(lambda s: "data.bin" in s, timeout=60)  # eBPF names the file
        time.sleep(4)  # a session before the recording
        live.keys("r")
        live.wait_for(lambda s: "● REC" in s)
        time.sleep(6)
        live.keys("r")
        live.wait_for(lambda s: "● REC" not in s)
        live.keys("q")
        live.wait_for(lambda s: "EXITED=0" in s)
    finally:
        live.kill()
        target.send_signal(signal.SIGTERM)
        target.wait(30)
    sessions = list(tmp_path.glob(f"perftui-*-{target.pid}-*.perftui"))
    assert len(sessions) == 1, sessions
    times: list[float] = json.loads((tmp_path / "times.json").read_text())
    marks = readings(sessions[0])
    first, last = marks[0], marks[-1]
    truth = sum(1 for t in times if first < t <= last)
    rep: dict[str, Any] = report(sessions[0])
    data = next(f for f in rep["files"] if f["path"] == str(tmp_path / "data.bin"))
    # The recording's writes: the target's own log between the two readings (a write whose
    # logged time and kernel time straddle a reading may land on either side).
    assert abs(data["writes"] - truth) <= 2, (data["writes"], truth)
    assert data["write_bytes"] == WRITE * data["writes"]
    assert truth < 0.8 * len(times)  # the whole session was longer: not its totals
    assert 4 <= last - first <= 9
    # Stack samples from the recording's window only: py-spy's chunks are 2 s while it runs.
    stacks = sum(f["self_samples"] for f in rep.get("functions", []))
    assert stacks > 0
    cpu_s = rep["cpu"]["avg_percent"] / 100 * rep["duration_s"]
    assert stacks <= 100 * (cpu_s + 2) * 1.3  # 100 Hz over its CPU time (+ a chunk's edge)
