"""perftui doctor against real processes, on this host, with nothing mocked but PATH and env."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from perftui.host import doctor
from perftui.host.doctor import Check, Level
from perftui.probes import companions
from perftui.probes.companions import PYSPY_ENV
from tests.support.paths import REPO


def nonexistent_pid() -> int:
    # Pids are always below pid_max, so this one cannot exist.
    return int(Path("/proc/sys/kernel/pid_max").read_text())


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def bcc_installed(monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.delenv(companions.NO_BCC_ENV, raising=False)
    return companions.locate_bcc().ok


@pytest.fixture
def sleeper() -> Iterator[int]:
    proc = subprocess.Popen(["sleep", "60"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def doctor_in_subprocess(pid: int | None, env: dict[str, str] | None = None
                         ) -> subprocess.CompletedProcess[str]:
    code = f"import sys; from perftui.host import doctor; sys.exit(doctor.run({pid!r}, sys.stdout))"
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)


def test_nonexistent_pid_exit_2() -> None:
    pid = nonexistent_pid()
    out = io.StringIO()
    assert doctor.run(pid, out) == 2
    assert out.getvalue().strip() == f"no process {pid}"

    r = doctor_in_subprocess(pid)
    assert r.returncode == 2
    assert r.stdout.strip() == f"no process {pid}"
    assert "Traceback" not in r.stderr


def test_self_basics_ok_and_table_printed() -> None:
    out = io.StringIO()
    assert doctor.run(None, out) == 0
    text = out.getvalue()
    pid = os.getpid()
    for name in ("stat", "status", "io", "smaps_rollup", "fd"):
        assert f"/proc/{pid}/{name}" in text
    for row in ("ptrace (py-spy)", "py-spy", "tracefs", "bcc module", "kernel headers",
                "bcc compile", "perf events", "sock_diag", "capabilities"):
        assert row in text, row
    assert "Traceback" not in text


def test_readable_pid_gives_ok_for_every_proc_file(sleeper: int) -> None:
    checks = by_name(doctor.collect(sleeper, compile_bcc=False))
    for name in ("stat", "status", "io", "smaps_rollup", "fd"):
        c = checks[f"/proc/{sleeper}/{name}"]
        assert c.level is Level.OK, c
    # Our own child, same uid: py-spy's kind of access and a perf counter must both work.
    assert checks["ptrace (py-spy)"].level is Level.OK
    assert checks["perf events"].level in (Level.OK, Level.DEGRADED), checks["perf events"]

    r = doctor_in_subprocess(sleeper)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"/proc/{sleeper}/io" in r.stdout


def test_pyspy_row_says_which_binary_and_from_where() -> None:
    found = companions.find_pyspy()  # py-spy is a dependency of perftui: it must be found
    expected = subprocess.run([found.path, "--version"], capture_output=True, text=True,
                              check=True).stdout.strip()
    c = doctor.check_pyspy()
    assert c.level is Level.OK
    assert c.detail == f"{expected}: {found.path} ({found.origin})"
    # pip puts it next to the interpreter; that copy wins over PATH (a venv not activated).
    beside = Path(sys.executable).parent / "py-spy"
    if beside.is_file():
        assert (found.path, found.origin) == (str(beside), companions.NEXT_TO_PYTHON)


def test_fast_without_compile() -> None:
    runs = []
    for _ in range(3):
        start = time.monotonic()
        doctor.collect(None, compile_bcc=False)
        runs.append(time.monotonic() - start)
    assert min(runs) < 2.0, runs


def test_bcc_compile_reported_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    if not bcc_installed(monkeypatch):
        pytest.skip("bcc is not installed (apt-get install python3-bpfcc libbpfcc); "
                    "run scripts/install-deps.sh")
    if os.geteuid() != 0:
        pytest.skip("loading BPF programs needs root")
    c = by_name(doctor.collect(None))["bcc compile"]
    assert c.level is Level.OK, c
    assert " compiled in " in c.detail and " s" in c.detail


def _path_without(tool: str) -> str:
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and not (Path(d) / tool).exists())


def test_missing_pyspy_and_bcc_show_missing_with_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    # doctor looks where the probe does: PERFTUI_PYSPY, next to the interpreter, then PATH.
    monkeypatch.setenv(PYSPY_ENV, "/nonexistent/py-spy")
    monkeypatch.setenv(companions.NO_BCC_ENV, "1")
    checks = by_name(doctor.collect(None))
    for name in ("py-spy", "bcc module", "bcc compile"):
        assert checks[name].level is Level.MISSING, checks[name]
        assert checks[name].fix, checks[name]
    assert "pip install py-spy" in (checks["py-spy"].fix or "")
    assert "python3-bpfcc" in (checks["bcc module"].fix or "")

    out = io.StringIO()
    assert doctor.run(None, out) == 0  # /proc basics still work
    text = out.getvalue()
    assert "missing" in text
    assert f"  py-spy: {checks['py-spy'].fix}" in text.splitlines()
    assert f"  bcc module: {checks['bcc module'].fix}" in text.splitlines()


def test_missing_in_subprocess_env() -> None:
    env = dict(os.environ, **{PYSPY_ENV: "/nonexistent/py-spy", companions.NO_BCC_ENV: "1"})
    r = doctor_in_subprocess(None, env=env)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    fixes = r.stdout.split("fixes:", 1)[1]
    assert "py-spy: " in fixes and "bcc module: apt-get install" in fixes


def test_unprivileged_user_sees_degraded_access(sleeper: int) -> None:
    """Drop to nobody in a forked child: root's sleeper is then someone else's process."""
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to another user")
    read_fd, write_fd = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read_fd)
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            checks = doctor.collect(sleeper, compile_bcc=False)
            found = [(c.name, c.level.value, c.fix) for c in checks]
            os.write(write_fd, json.dumps(found).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as f:
        data = f.read()
    os.waitpid(child, 0)
    rows: dict[str, tuple[str, str | None]] = {
        name: (level, fix) for name, level, fix in json.loads(data)}
    assert rows[f"/proc/{sleeper}/stat"][0] == "ok"
    for name in ("io", "fd"):
        level, fix = rows[f"/proc/{sleeper}/{name}"]
        assert level == "degraded"
        assert fix == f"sudo perftui -p {sleeper}"
    assert rows["ptrace (py-spy)"][0] == "missing"
    assert rows["root"][0] == "degraded"
