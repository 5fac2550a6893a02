"""Root runs only code it shipped, and prints no escape codes a target chose.

perftui is run as root from whatever directory the on-call engineer is in, next to processes
owned by others.  Two ways another local user could act through it:

1. code planted in root's current directory (``probes/__init__.py``, ``perftui/__init__.py``)
   imported by a child that perftui starts with ``python -m``;
2. a target whose command line holds terminal escapes (a title change, colours, an OSC 52
   clipboard write) printed on root's terminal.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from perftui.probes import spawn
from perftui.session import SessionReader
from tests.support.paths import TARGETS
from tests.support.tmux_driver import Tmux, probe_live

EVIL_TARGET = TARGETS / "evil_argv.py"
# The installed command, as a user runs it (not ``python -m perftui``, which itself imports
# from the cwd by Python's rules: that one is the user's own choice).
PERFTUI = str(Path(sys.executable).parent / "perftui")
PROBES = spawn.__name__.rpartition(".")[0]  # the probes' package, as children import it
ESCAPES = "\x1b]2;evil-title\x07\x1b[41;5mRED\x1b[0m\x1b]52;c;ZXZpbA==\x07tail"

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (creates a user)")


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["TERM"] = env.get("TERM", "xterm-256color")
    return env


@pytest.fixture
def other_user() -> Iterator[str]:
    """An unprivileged user made for the test, removed after it."""
    name = f"ptevil{uuid.uuid4().hex[:6]}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    name], check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], capture_output=True)


@pytest.fixture
def planted(tmp_path: Path, other_user: str) -> Iterator[tuple[Path, Path]]:
    """A directory owned by the other user holding ``perftui`` and probe packages under the
    names perftui runs them by, that leave a marker file when imported; (that directory,
    where markers land)."""
    markers = tmp_path / "markers"
    markers.mkdir()
    evil = tmp_path / "evil"
    payload = ("import os, sys\n"
               f"open(os.path.join({str(markers)!r}, 'imported-' + __name__ + '-' + "
               "str(os.getpid())), 'w').write(' '.join(sys.argv))\n")
    probes = PROBES.replace(".", "/")
    for pkg in ("perftui", probes, f"{probes}/procfs", f"{probes}/ebpf", f"{probes}/pyspy"):
        (evil / pkg).mkdir(parents=True, exist_ok=True)
        (evil / pkg / "__init__.py").write_text(payload)
    (evil / probes / "bccenv.py").write_text(payload)
    uid = pwd.getpwnam(other_user).pw_uid
    for path in [evil, *evil.rglob("*")]:
        os.chown(path, uid, uid)
    tmp_path.chmod(0o755)
    yield evil, markers


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, str(EVIL_TARGET), "ptsleeper", "plain"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()


def evil_targets(name: str, n: int) -> list[subprocess.Popen[str]]:
    procs = []
    for _ in range(n):
        proc = subprocess.Popen([sys.executable, str(EVIL_TARGET), name, ESCAPES],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        procs.append(proc)
    return procs


def stop_all(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        proc.kill()
        proc.wait()


# -- 1. no code from the current directory ----------------------------------------------------

@root_only
def test_record_and_doctor_from_a_planted_directory_import_nothing_from_it(
        planted: tuple[Path, Path], sleeper: subprocess.Popen[str], tmp_path: Path) -> None:
    evil, markers = planted
    out = tmp_path / "s.perftui"
    # auto probes for a Python target as root: procfs, pyspy and ebpf, each a child process.
    rec = subprocess.run([PERFTUI, "record", "-p", str(sleeper.pid), "-d", "4", "-o", str(out)],
                         cwd=evil, env=clean_env(), capture_output=True, text=True, timeout=90,
                         stdin=subprocess.DEVNULL)
    assert rec.returncode == 0, rec.stderr
    doc = subprocess.run([PERFTUI, "doctor", "-p", str(sleeper.pid)], cwd=evil,
                         env=clean_env(), capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    assert doc.returncode in (0, 1), doc.stdout + doc.stderr
    assert sorted(p.name for p in markers.iterdir()) == []
    # The probes did run (so nothing was imported because nothing ran would not pass).
    with SessionReader(str(out)) as r:
        streams = {s for s, _, f in r.frames() if f.get("k") == "hello"}
    assert "procfs" in streams
    assert "compile" in doc.stdout and "ok" in doc.stdout


@root_only
@pytest.mark.tmux
@pytest.mark.parametrize("with_pid", [True, False], ids=["attached", "demo"])
def test_live_view_from_a_planted_directory_imports_nothing_from_it(
        planted: tuple[Path, Path], sleeper: subprocess.Popen[str], with_pid: bool) -> None:
    evil, markers = planted
    args = ["-p", str(sleeper.pid)] if with_pid else []
    t = Tmux([PERFTUI, *args, "-d", "0.5"], 120, 40, cwd=str(evil),
             env={"PYTHONPATH": ""})
    try:
        t.wait_for(lambda s: probe_live(s, "procfs"), timeout=40)
        time.sleep(2)  # the slower probes (pyspy, ebpf) start too
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
    finally:
        t.kill()
    assert sorted(p.name for p in markers.iterdir()) == []


def test_children_run_isolated_from_the_cwd_and_environment() -> None:
    """The argv and environment every probe gets: -I, an explicit code root, no LD_*."""
    from perftui.probes.spawn import CODE_ROOT, child_env, python_argv

    argv = python_argv("perftui.probes.procfs", "--pid", "1")
    assert argv[:3] == [sys.executable, "-I", "-u"] and "perftui.probes.procfs" in argv
    assert CODE_ROOT in argv and Path(CODE_ROOT, *PROBES.split("."), "spawn.py").is_file()
    env = child_env(base={"PATH": "/bin", "LD_PRELOAD": "/tmp/x.so", "PYTHONPATH": ".",
                          "PYTHONSTARTUP": "x", "PERFTUI_NO_BCC": "1", "SECRET": "s",
                          "BCC_KERNEL_SOURCE": "/k"})
    assert env == {"PATH": "/bin", "PERFTUI_NO_BCC": "1", "BCC_KERNEL_SOURCE": "/k"}
    # The argv really runs the module, from /, whatever the caller's cwd holds.
    run = subprocess.run(python_argv("perftui.probes.procfs", "--help"), cwd="/", env=child_env(),
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0 and "--pid" in run.stdout


@root_only
def test_root_refuses_a_py_spy_another_user_can_replace(tmp_path: Path,
                                                         other_user: str) -> None:
    from perftui.probes.companions import NotFound, find_pyspy

    fake = tmp_path / "py-spy"
    fake.write_text("#!/bin/sh\necho pwned\n")
    fake.chmod(0o755)
    uid = pwd.getpwnam(other_user).pw_uid
    os.chown(fake, uid, uid)
    with pytest.raises(NotFound, match="not used as root"):
        find_pyspy({"PERFTUI_PYSPY": str(fake)})
    os.chown(fake, 0, 0)
    fake.chmod(0o757)
    with pytest.raises(NotFound, match="writable"):
        find_pyspy({"PERFTUI_PYSPY": str(fake)})
    fake.chmod(0o755)
    tmp_path.chmod(0o755)
    assert find_pyspy({"PERFTUI_PYSPY": str(fake)}).path == str(fake)


# -- 2. no escape codes from a target ---------------------------------------------------------

def test_clean_shows_controls_and_keeps_text() -> None:
    from perftui.safetext import clean, clean_tree

    assert clean("python3 app.py --port 80 é→") == "python3 app.py --port 80 é→"
    shown = clean(ESCAPES)
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown.startswith("\\e]2;evil-title\\x07\\e[41;5mRED")
    assert clean("a\u202eb\x9bc\td") == "a\\u202eb\\x9bc\\td"
    frame = {"k": "meta", "cmdline": ["x", "\x1b[2J"], "n": [1, 2, 3], "\x1bkey": 1}
    out = clean_tree(frame)
    assert out == {"k": "meta", "cmdline": ["x", "\\e[2J"], "n": [1, 2, 3], "\\ekey": 1}
    same = {"k": "sample", "threads": [[1, "worker", "S"]]}
    assert clean_tree(same) is same


def test_record_prints_no_escape_from_the_target(tmp_path: Path) -> None:
    [proc] = evil_targets("ptrec", 1)
    try:
        run = subprocess.run([PERFTUI, "record", "-p", str(proc.pid), "-d", "2", "--probes",
                              "procfs", "-o", str(tmp_path / "e.perftui")],
                             capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
                             env=clean_env())
        assert run.returncode == 0, run.stderr
        both = run.stdout + run.stderr
        assert b"recording pid" in both and b"\\e]2;evil-title" in both
        assert b"\x1b" not in both and b"\x07" not in both
        report = subprocess.run([PERFTUI, "report", str(tmp_path / "e.perftui")],
                                capture_output=True, timeout=60, env=clean_env())
        assert report.returncode == 0
        assert b"evil-title" in report.stdout and b"\x1b]" not in report.stdout
        assert b"\x07" not in report.stdout
    finally:
        stop_all([proc])


def _no_target_escapes(t: Tmux) -> None:
    assert t.title() == "before-title"
    coloured = t.screen_with_escapes()
    # The target's SGR 41;5 (red, blinking) never reached the terminal as attributes.
    assert "\x1b[41;5m" not in coloured and "\x1b[5m" not in coloured


@pytest.mark.tmux
def test_live_view_shows_the_escapes_as_text(tmp_path: Path) -> None:
    # The comm (the thread table's name) holds a title change too: 11 of its 15 bytes.
    [proc] = evil_targets("pt\x1b]2;evil\x07", 1)
    t = Tmux([PERFTUI, "-p", str(proc.pid), "--probes", "procfs"], 200, 40)
    try:
        t.set_title("before-title")
        t.wait_for(lambda s: "pt\\e]2;evil" in s and probe_live(s, "procfs"))
        time.sleep(1.5)  # a few refreshes of the header and the thread table
        _no_target_escapes(t)
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
        _no_target_escapes(t)
    finally:
        t.kill()
        stop_all([proc])


@pytest.mark.tmux
def test_name_chooser_shows_the_escapes_as_text() -> None:
    name = f"ptc{uuid.uuid4().hex[:4]}"
    procs = evil_targets(name + "\x1b[41;5mX", 2)  # a comm of 13 bytes, colours included
    t = Tmux([PERFTUI, "-n", name], 200, 30)
    try:
        t.set_title("before-title")
        screen = t.wait_for(lambda s: "2 processes match" in s and "evil-title" in s)
        assert "\\e]2;evil-title" in screen
        _no_target_escapes(t)
        t.keys("Escape")
        t.wait_for(lambda s: "EXITED=" in s)
        _no_target_escapes(t)
    finally:
        t.kill()
        stop_all(procs)


def test_the_cli_error_line_is_cleaned() -> None:
    bad = "\x1b]2;evil-title\x07"
    run = subprocess.run([PERFTUI, "-n", bad], capture_output=True, timeout=60,
                         env=clean_env(), stdin=subprocess.DEVNULL)
    assert run.returncode == 2
    assert b"\x1b" not in run.stderr and b"\x07" not in run.stderr

