"""A local user cannot block root's native sampler with a FIFO at /tmp/perf-PID.map."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from perftui.probes.stacks.perfmap import perf_map_path, perf_map_problem
from tests.support.paths import TARGETS
from tests.support.probes import StacksProbe
from tests.support.skips import needs_bpf


@pytest.fixture(scope="module")
def c_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    out = tmp_path_factory.mktemp("hot") / "hot_c"
    subprocess.run(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", str(out),
                    str(TARGETS / "hot_c.c")], check=True)
    return out


@pytest.fixture
def c_target(c_binary: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([str(c_binary)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()


@pytest.fixture
def other_user() -> Iterator[int]:
    if os.geteuid() != 0:
        pytest.skip("needs root (creates a user)")
    name = f"ptmap{uuid.uuid4().hex[:6]}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                    "/usr/sbin/nologin", name], check=True, capture_output=True)
    try:
        yield pwd.getpwnam(name).pw_uid
    finally:
        subprocess.run(["userdel", name], capture_output=True)


@needs_bpf
def test_a_fifo_perf_map_is_refused_and_the_sampler_goes_on(
        c_target: subprocess.Popen[str], other_user: int) -> None:
    fifo = f"/tmp/perf-{c_target.pid}.map"
    os.mkfifo(fifo)
    os.chown(fifo, other_user, other_user)  # planted by another local user
    try:
        assert "FIFO" in perf_map_problem(c_target.pid)
        probe = StacksProbe(c_target.pid, "--interval", "1")
        try:
            # Before the guard, the first chunk never came: libbcc's open blocked forever.
            warn = probe.wait_for(lambda f: f["k"] == "warn" and "perf map" in f["msg"], 90)
            assert "FIFO" in warn["msg"]
            probe.wait_for(lambda f: f["k"] == "chunk" and f["samples"], 30)
            chunks = [f for f in probe.frames if f["k"] == "chunk"]
            probe.wait_for(lambda f: f["k"] == "chunk" and f["seq"] > chunks[-1]["seq"], 10)
        finally:
            probe.stop()
    finally:
        os.unlink(fifo)


def test_the_perf_map_checks(tmp_path: Path, other_user: int) -> None:
    me = os.getpid()
    path = perf_map_path(me)
    assert path == f"/proc/{me}/root/tmp/perf-{me}.map"
    assert perf_map_problem(me) == ""  # none there: nothing to refuse
    real = f"/tmp/perf-{me}.map"
    try:
        Path(real).write_text("1000 10 jitted\n")
        assert perf_map_problem(me) == ""  # a regular file of the target's own user
        os.chown(real, other_user, other_user)
        assert "belongs to uid" in perf_map_problem(me)
        os.unlink(real)
        os.symlink("/etc/shadow", real)
        assert "symbolic link" in perf_map_problem(me)
    finally:
        if os.path.lexists(real):
            os.unlink(real)
