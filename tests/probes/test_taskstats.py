"""The kernel's taskstats say how a process perftui did not start ended (root)."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from probes.taskstats import watch_exit

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="taskstats needs CAP_NET_ADMIN")


@pytest.mark.parametrize(("argv", "kill", "want"), [
    (["sh", "-c", "sleep 1; exit 7"], False, (7, None)),
    (["sh", "-c", "sleep 1; exit 0"], False, (0, None)),  # alive until the watcher listens
    (["sleep", "30"], True, (None, 9)),
])
def test_the_exit_status_of_a_watched_process(argv: list[str], kill: bool,
                                              want: tuple[int | None, int | None]) -> None:
    proc = subprocess.Popen(argv)
    watcher = watch_exit(proc.pid)
    assert watcher is not None
    try:
        if kill:
            time.sleep(0.2)
            proc.kill()
        assert watcher.status(wait_s=5.0) == want
    finally:
        proc.wait()
        watcher.close()


def test_another_process_s_exit_is_not_taken_for_the_target() -> None:
    target = subprocess.Popen(["sleep", "30"])
    watcher = watch_exit(target.pid)
    assert watcher is not None
    try:
        subprocess.run(["sh", "-c", "exit 4"], check=False)
        assert watcher.status(wait_s=0.5) is None
    finally:
        target.kill()
        target.wait()
        watcher.close()


def test_a_burst_of_other_exits_does_not_crowd_out_the_target_s() -> None:
    """Every exit on the host reaches the listener: 3000 of them before the target's (a
    shell loop, a build) once overflowed the socket and the probe died on ENOBUFS."""
    target = subprocess.Popen(["sh", "-c", "sleep 4; exit 4"])
    watcher = watch_exit(target.pid)
    assert watcher is not None
    try:
        subprocess.run(["sh", "-c", "for i in $(seq 3000); do /bin/true; done"], check=True)
        target.wait()
        assert watcher.status(wait_s=5.0) == (4, None)
    finally:
        if target.poll() is None:
            target.kill()
        target.wait()
        watcher.close()
