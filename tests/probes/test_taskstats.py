"""The kernel's taskstats say how a process perftui did not start ended (root)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from perftui.probes.taskstats import watch_exit

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


@pytest.mark.parametrize("threads", [1, 3])
def test_the_whole_life_cpu_of_an_exited_process(threads: int) -> None:
    """The exit record's CPU times: one task's, or the thread group's sum (the procfs probe
    sends them when the target was reaped before its last sample)."""
    code = ("import os, sys, threading\n"
            "def spin():\n"
            "    x = 0\n"
            "    for i in range(3_000_000): x += i\n"
            f"ts = [threading.Thread(target=spin) for _ in range({threads})]\n"
            "[t.start() for t in ts]; [t.join() for t in ts]\n"
            "t = os.times(); print(t.user + t.system, flush=True)\n"
            "sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    watcher = watch_exit(proc.pid)
    assert watcher is not None and proc.stdin is not None and proc.stdout is not None
    try:
        own = float(proc.stdout.readline())  # its own CPU just before it ends
        proc.stdin.close()
        assert watcher.status(wait_s=5.0) == (0, None)
        cpu = watcher.cpu()
        assert cpu is not None
        assert own - 0.02 <= cpu[0] + cpu[1] <= own + 0.1, (cpu, own)
    finally:
        proc.wait()
        watcher.close()
