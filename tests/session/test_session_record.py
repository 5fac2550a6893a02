"""``perftui record`` as a user runs it: real targets, real signals, the files it leaves."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perftui.session import SessionReader
from perftui.sources.replay import MAX, ReplaySource
from tests.support.cli import perftui, samples_in, start_record, wait_samples
from tests.support.paths import TARGETS

TARGET = TARGETS / "named_workers.py"


def test_sighup_is_ignored_and_sigterm_stops_cleanly(target: subprocess.Popen[str],
                                                     tmp_path: Path) -> None:
    out = tmp_path / "s.perftui"
    rec = start_record("-p", str(target.pid), "-i", "0.2", "-o", str(out))
    wait_samples(out, 3)
    rec.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert rec.poll() is None  # still recording
    rec.send_signal(signal.SIGTERM)
    stdout, stderr = rec.communicate(timeout=20)
    assert rec.returncode == 0, stderr
    assert re.match(rf"{re.escape(str(out))}: [\d.]+ (B|KiB), \d+ frames, \d+s \(SIGTERM\)",
                    stdout), stdout
    assert "Traceback" not in stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with SessionReader(str(out)) as r:
        assert r.closed_cleanly and r.warnings == []
        assert r.header.pid == target.pid and r.header.interval == 0.2
        assert r.probes["procfs"]["caps"]["io"]["ok"]
        assert r.index().frames > 5
    assert target.poll() is None  # a target perftui did not start is left alone


def test_sigkill_leaves_a_file_that_replays_up_to_its_last_second(
        target: subprocess.Popen[str], tmp_path: Path) -> None:
    out = tmp_path / "k.perftui"
    rec = start_record("-p", str(target.pid), "-i", "0.2", "-o", str(out))
    wait_samples(out, 5)
    time.sleep(1.3)
    killed_at = time.time()
    rec.kill()
    rec.communicate(timeout=10)
    with SessionReader(str(out)) as r:
        assert not r.closed_cleanly and r.warnings
    last = samples_in(out)[-1]
    assert last >= killed_at - 1.0 - 0.2 - 0.3  # flush period + interval + scheduling slack
    src = ReplaySource(str(out), speed=MAX)
    got: list[str] = []
    src.start(lambda s, raw, f: got.append(f["k"]))
    assert src.wait_idle(20)
    src.stop()
    assert got.count("sample") == len(samples_in(out))


def test_record_a_command_until_it_exits(tmp_path: Path) -> None:
    out = tmp_path / "c.perftui"
    r = perftui("record", "-i", "0.2", "-o", str(out), "--", sys.executable, str(TARGET),
                "--exit-after", "1.5", "--exit-code", "3")
    assert r.returncode == 0, r.stderr
    assert "(target exited: exit status 3)" in r.stdout  # the status, said on the terminal
    with SessionReader(str(out)) as reader:
        frames = [(s, f) for s, _, f in reader.frames()]
        assert reader.closed_cleanly
    exits = [f for s, f in frames if s == "perftui" and f["k"] == "exit"]
    assert exits and exits[0]["code"] == 3
    assert any(f["k"] == "sample" for s, f in frames if s == "procfs")


def test_duration_and_default_name(target: subprocess.Popen[str], tmp_path: Path) -> None:
    t = time.monotonic()
    r = perftui("record", "-p", str(target.pid), "-d", "1.5", "-i", "0.5", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert 1.4 <= time.monotonic() - t <= 15
    host = os.uname().nodename
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert re.fullmatch(rf"perftui-{re.escape(host)}-{target.pid}-\d{{8}}-\d{{6}}\.perftui",
                        files[0].name)
    assert "(duration reached)" in r.stdout and files[0].name in r.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["-p", "4000000"], "perftui: no process 4000000"),
    ([], "what to record"),
    (["-p", "1", "--", "true"], "not both"),
    (["-p", "1", "-d", "0"], "must be more than 0"),
    (["--", "/nonexistent/cmd"], "perftui: command not found: /nonexistent/cmd"),
])
def test_user_mistakes_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    r = perftui("record", *args)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr


def test_an_existing_output_is_not_overwritten(target: subprocess.Popen[str],
                                              tmp_path: Path) -> None:
    out = tmp_path / "exists.perftui"
    out.write_text("mine")
    r = perftui("record", "-p", str(target.pid), "-o", str(out))
    assert r.returncode == 2
    assert r.stderr.strip() == f"perftui: {out} already exists"
    assert out.read_text() == "mine"
