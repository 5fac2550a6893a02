"""Mistakes a user makes end with one line and exit status 2; what a recording will lack is
said on the terminal, not only inside the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO


def perftui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perftui", *args], cwd=REPO, timeout=120,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


def test_a_thread_id_is_not_a_process(target: subprocess.Popen[str], tmp_path: Path) -> None:
    tid = next(int(t) for t in os.listdir(f"/proc/{target.pid}/task")
               if int(t) != target.pid)
    for verb in (["record", "-o", str(tmp_path / "t.perftui"), "-d", "1"], []):
        r = perftui(*verb, "-p", str(tid))
        assert r.returncode == 2, r.stderr
        assert r.stderr.strip() == (f"perftui: {tid} is a thread of process {target.pid}, "
                                    f"not a process: use -p {target.pid}")
    assert not (tmp_path / "t.perftui").exists()


def test_record_says_what_it_will_not_hold(target: subprocess.Popen[str],
                                           tmp_path: Path) -> None:
    out = tmp_path / "s.perftui"
    r = perftui("record", "-p", str(target.pid), "-d", "2", "-o", str(out), "--probes",
                "procfs,ebpf", env={"PERFTUI_NO_BCC": "1"})
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if line.startswith("perftui: not recorded")]
    assert said and all("perftui doctor -p" in line for line in said), r.stderr
    assert any("ebpf" in line for line in said), said


@pytest.mark.skipif(os.geteuid() != 0, reason="taskstats needs root (CAP_NET_ADMIN)")
@pytest.mark.parametrize("how", ["exit 5", "kill -9"])
def test_an_attached_target_s_exit_status_is_said(tmp_path: Path, how: str) -> None:
    """Not perftui's child, so no wait(): the procfs probe's taskstats listener tells."""
    # Long enough for the probe to start and register before the end (a loaded CI machine).
    body = "sleep 4; exit 5" if how == "exit 5" else "sleep 4; kill -9 $$"
    target = subprocess.Popen(["sh", "-c", body])
    try:
        r = perftui("record", "-p", str(target.pid), "-o", str(tmp_path / "x.perftui"))
    finally:
        target.wait()
    want = "exit status 5" if how == "exit 5" else "killed by signal 9"
    assert r.returncode == 0 and f"(target exited: {want})" in r.stdout, r.stdout + r.stderr


def test_the_model_keeps_the_status_a_probe_reports() -> None:
    from perftui.model import Model
    from perftui.views.snapshot import build_snapshot

    model = Model()
    model.apply("procfs", {"k": "gone", "ts": 10.0, "reason": "exited", "code": 3})
    header = build_snapshot(model).header
    assert (header.status, header.exit_detail) == ("exited", "exit status 3")


@pytest.mark.parametrize("verb", [["report", "--json"], ["report"],
                                  ["export", "--format", "folded"]])
def test_a_reader_that_goes_away_ends_the_output_quietly(verb: list[str]) -> None:
    """``perftui report | head``: no traceback when the pipe closes."""
    r, w = os.pipe()
    os.close(r)  # the reader is gone before the first write
    done = subprocess.run([sys.executable, "-m", "perftui", *verb,
                           str(REPO / "tests/golden/sessions/python_hot.perftui")],
                          cwd=REPO, timeout=120, stdout=w, stderr=subprocess.PIPE, text=True)
    os.close(w)
    assert done.stderr == "" and done.returncode in (1, 141), done.stderr
