"""Mistakes a user makes end with one line and exit status 2; what a recording will lack is
said on the terminal, not only inside the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
