"""The command line's answers to user mistakes: one line, exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import TARGETS

TARGET = TARGETS / "named_workers.py"


def perftui(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perftui", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def free_pid() -> int:
    pid = 4_000_000
    while Path(f"/proc/{pid}").exists():
        pid -= 1
    return pid


def test_no_such_pid() -> None:
    pid = free_pid()
    r = perftui("-p", str(pid))
    assert r.returncode == 2
    assert r.stderr.strip() == f"perftui: no process {pid}"


def test_bad_values_give_usage_not_traceback() -> None:
    for args in (["-p", "abc"], ["--interval", "0.01"], ["--interval", "61"], ["--bogus"]):
        r = perftui(*args)
        assert r.returncode == 2, args
        assert "usage:" in r.stderr and "Traceback" not in r.stderr, args


def test_version() -> None:
    r = perftui("--version")
    assert r.returncode == 0 and r.stdout.startswith("perftui 0.")


def test_name_with_several_matches_lists_them_without_a_tty() -> None:
    procs = [subprocess.Popen([sys.executable, str(TARGET)], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        # The busy thread's comm is not the process name; match the script by its command.
        r = perftui("-n", "^python")
        assert r.returncode == 2
        assert "processes match" in r.stderr
        for p in procs:
            assert f"{p.pid:>7}" in r.stderr
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_name_without_match() -> None:
    r = perftui("-n", "no-such-process-name-xyz")
    assert r.returncode == 2
    assert "no process matches 'no-such-process-name-xyz'" in r.stderr


def test_command_not_found() -> None:
    r = perftui("--", "/nonexistent/command")
    assert r.returncode == 2
    assert r.stderr.strip() == "perftui: command not found: /nonexistent/command"


def test_unknown_theme_is_a_clear_error() -> None:
    r = perftui("--theme", "nope", "--", sys.executable, "-c", "import time; time.sleep(5)")
    assert r.returncode == 2
    assert "perftui-dark" in r.stderr and "Traceback" not in r.stderr


def test_probes_option_names_the_probes() -> None:
    from perftui.cli.pick import probes_for
    from perftui.host.target import Target

    target = Target(1, "pid 1")
    assert [p.name for p in probes_for(target, ("ebpf", "procfs", "ebpf"))] == ["procfs", "ebpf"]
    assert [p.name for p in probes_for(target, ("pyspy",))] == ["procfs", "pyspy"]
    r = perftui("--probes", "procfs,bogus", "-p", "1")
    assert r.returncode == 2
    assert "unknown probe bogus" in r.stderr and "Traceback" not in r.stderr
