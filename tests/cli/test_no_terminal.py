"""Without a terminal (``perftui -p PID | less``, cron) the live view and replay say so in
one line, point at what works without one, exit 2, write no escape codes and start nothing."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO

SESSION = REPO / "tests" / "golden" / "sessions" / "io_b.perftui"


@pytest.fixture
def terminal_in() -> Iterator[int]:
    """A pseudo-terminal for stdin: a person typing into a pipeline (``perftui | less``)."""
    leader, follower = pty.openpty()
    yield follower
    os.close(follower)
    os.close(leader)


def perftui(*args: str, stdin: int, stdout: int | None, tmp: Path
            ) -> subprocess.CompletedProcess[bytes]:
    # TMPDIR of its own, so a started command's log left behind would show.
    return subprocess.run([sys.executable, "-m", "perftui", *args], cwd=REPO, timeout=60,
                          stdin=stdin, stdout=stdout if stdout is not None else subprocess.PIPE,
                          stderr=subprocess.PIPE, env={**os.environ, "TMPDIR": str(tmp)})


def test_a_command_in_a_pipeline_is_never_run(tmp_path: Path, terminal_in: int) -> None:
    ran, rec = tmp_path / "ran", tmp_path / "s.perftui"
    (tmp_path / "tmp").mkdir()
    r = perftui("--record", str(rec), "--", "touch", str(ran), stdin=terminal_in,
                stdout=None, tmp=tmp_path / "tmp")
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert r.stdout == b"" and b"\x1b" not in r.stderr
    assert len(err.splitlines()) == 1 and err.startswith("perftui: the live view needs a "
                                                          "terminal, and standard output is")
    assert f"perftui record -d 60 -o session.perftui -- touch {ran}" in err
    assert not ran.exists() and not rec.exists()  # held and ended; the empty recording gone
    assert list((tmp_path / "tmp").iterdir()) == []  # nor the command's output log


def test_cron_attaching_to_a_pid_is_told_to_record(tmp_path: Path,
                                                   target: subprocess.Popen[str]) -> None:
    out = tmp_path / "cron.out"
    with open(out, "wb") as f:
        r = perftui("-p", str(target.pid), stdin=subprocess.DEVNULL, stdout=f.fileno(),
                    tmp=tmp_path)
    err = r.stderr.decode()
    assert r.returncode == 2 and out.read_bytes() == b"" and b"\x1b" not in r.stderr
    assert f"perftui record -d 60 -o session.perftui -p {target.pid} && perftui report" in err


def test_stdin_not_a_terminal_is_said_too(tmp_path: Path,
                                          target: subprocess.Popen[str]) -> None:
    leader, follower = pty.openpty()
    try:
        r = perftui("-p", str(target.pid), stdin=subprocess.DEVNULL, stdout=follower,
                    tmp=tmp_path)
    finally:
        os.close(follower)
        os.close(leader)
    assert r.returncode == 2 and "standard input is not one" in r.stderr.decode()


def test_mistakes_are_still_said_first(tmp_path: Path, terminal_in: int) -> None:
    r = perftui("--", "/nonexistent/command", stdin=terminal_in, stdout=None, tmp=tmp_path)
    assert r.returncode == 2 and r.stderr.decode().strip() == (
        "perftui: command not found: /nonexistent/command")


def test_replay_in_a_pipeline_points_at_report(tmp_path: Path, terminal_in: int) -> None:
    r = perftui("replay", str(SESSION), stdin=terminal_in, stdout=None, tmp=tmp_path)
    err = r.stderr.decode()
    assert r.returncode == 2 and r.stdout == b"" and b"\x1b" not in r.stderr
    assert err.strip().endswith(f"perftui report {SESSION}"), err
