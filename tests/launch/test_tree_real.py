"""The tree beyond a shell: a Python pool's workers in the hot functions (py-spy follows
subprocesses), and a pre-forking server attached with ``-p PID --children``."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import has_frame, perftui, start_record
from tests.support.launch import report
from tests.support.paths import TARGETS
from tests.support.skips import bcc_missing


def test_a_pools_workers_hot_function_is_in_the_hot_functions(tmp_path: Path) -> None:
    session = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(session), "--probes", "procfs,pyspy", "--",
                   sys.executable, str(TARGETS / "pool_hot.py"), "6", timeout=120)
    assert done.returncode == 0, done.stderr
    rep = report(session)
    top = rep["functions"][0]
    names = {f["name"].split(" ")[0]: f for f in rep["functions"]}
    assert "worker_hot" in names, [f["name"] for f in rep["functions"][:10]]
    # the workers do nearly all the work: their function leads by its own samples
    assert max(rep["functions"], key=lambda f: f["self_samples"])["name"].startswith(
        "worker_hot"), top
    workers = [p for p in rep["processes"] if p["pid"] != rep["pid"]]
    assert len(workers) >= 2 and all(p["ppid"] == rep["pid"] for p in workers[:2])


@pytest.mark.skipif(bcc_missing() is not None, reason=bcc_missing() or "")
def test_a_preforking_server_attached_with_children(tmp_path: Path) -> None:
    calls, size = 3000, 777
    target = subprocess.Popen([sys.executable, str(TARGETS / "prefork.py"), str(tmp_path),
                               "2", str(calls), str(size)], stdout=subprocess.PIPE, text=True)
    assert target.stdout is not None
    word, *workers = target.stdout.readline().split()
    assert word == "ready"
    session = tmp_path / "s.perftui"
    rec = start_record("-o", str(session), "--probes", "procfs,ebpf", "-p", str(target.pid),
                       "--children")
    try:
        deadline = time.monotonic() + 60
        while not has_frame(session, "ebpf", "caps"):
            assert time.monotonic() < deadline and rec.poll() is None, "the probe never attached"
            time.sleep(0.2)
        time.sleep(1.5)  # a sample with the workers listed
        target.send_signal(signal.SIGUSR1)
        assert target.wait(30) == 0
        rec.communicate(timeout=60)
    finally:
        if rec.poll() is None:
            rec.send_signal(signal.SIGINT)
            rec.communicate(timeout=30)
        if target.poll() is None:
            target.kill()
    rep = report(session)
    by_pid = {p["pid"]: p for p in rep["processes"]}
    for pid in map(int, workers):
        p = by_pid[pid]
        assert p["ppid"] == target.pid and p["exit"] == 0, p
        assert p["write_bytes"] == size, p
        assert calls <= p["syscalls"] < calls + 100, p  # its getppid calls and a few more
    getppid = next(s["count"] for s in rep["syscalls"] if s["name"] == "getppid")
    assert getppid >= 2 * calls
