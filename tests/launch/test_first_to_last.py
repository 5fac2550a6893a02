"""From a target's first instant to its last, on real processes: a command that exits at
once is counted exactly, a Python target's whole life is in its report, an attached target's
last counts arrive, and a 5 ms command replays with its data."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import has_frame, perftui, start_record
from tests.support.launch import build_exact, calls, report, written
from tests.support.paths import TARGETS
from tests.support.skips import PYSPY, bcc_missing

needs_bcc = pytest.mark.skipif(bcc_missing() is not None, reason=bcc_missing() or "")
N, M, K = 1234, 37, 4096


@pytest.fixture(scope="module")
def exact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_exact(tmp_path_factory.mktemp("exact"))


@needs_bcc
@pytest.mark.parametrize("probe", ["ebpf", "perfcount"])
def test_a_command_that_exits_at_once_is_counted_exactly(exact: Path, tmp_path: Path,
                                                         probe: str) -> None:
    out = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(out), "--probes", probe, "--",
                   str(exact), str(N), str(M), str(K), str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    assert "exit status 0" in done.stdout
    rep = report(out)
    assert calls(rep, "getppid") == N
    assert calls(rep, "write") == M
    if probe == "ebpf":  # the perf-counter fallback counts calls only
        assert written(rep) == M * K
    assert rep["coverage"]["launched"]["held_s"] > 0
    assert rep["command"].startswith(str(exact))
    assert rep["duration_s"] < 2.0  # its life, not the hold before it


def test_without_syscall_probes_a_short_command_still_has_its_life(exact: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(out), "--probes", "procfs", "--",
                   str(exact), "10", "3", "1000", str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    rep = report(out)
    # The zombie's last sample: the whole life's I/O counters (the held wrapper adds one
    # byte read, its release).
    assert rep["io"]["write_bytes"] == 3000
    assert rep["io"]["write_calls"] == 3
    assert rep["samples"] >= 1 and rep["coverage"]["unobserved_s"] == 0


@needs_bcc
@pytest.mark.skipif(PYSPY is None, reason="py-spy is not installed")
def test_a_python_target_is_counted_from_start_to_end(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    out = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(out), "--", sys.executable,
                   str(TARGETS / "hot_io_3s.py"), str(src), str(dst), "3", timeout=120)
    assert done.returncode == 0, done.stderr
    log = re.search(r"output is in (\S+)", done.stderr)
    assert log, done.stderr
    own = dict(zip(*[iter(Path(log.group(1)).read_text().split())] * 2, strict=True))
    rep = report(out)
    files = {f["path"]: f for f in rep["files"]}
    assert files[str(src)]["read_bytes"] == int(own["read_bytes"])
    assert files[str(dst)]["write_bytes"] == int(own["write_bytes"])
    top = rep["functions"][0]
    assert top["name"].startswith("hot_function"), rep["functions"][:3]
    assert rep["coverage"]["probes"]["pyspy"]["span_s"] > 2.0
    assert 2.9 < rep["duration_s"] < 4.5


@needs_bcc
def test_attached_target_final_counts_arrive_and_the_unseen_end_is_said(
        tmp_path: Path) -> None:
    go, out, n = tmp_path / "go", tmp_path / "s.perftui", 4321
    target = subprocess.Popen([sys.executable, str(TARGETS / "attach_then_exit.py"),
                               str(go), str(n)], stdout=subprocess.PIPE, text=True)
    assert target.stdout is not None and target.stdout.readline() == "ready\n"
    rec = start_record("-p", str(target.pid), "-o", str(out))
    deadline = time.monotonic() + 60
    while not has_frame(out, "ebpf", "caps"):  # attached: the calls will be seen
        assert time.monotonic() < deadline, "the ebpf probe never attached"
        time.sleep(0.1)
    go.touch()
    target.wait(timeout=30)
    stdout, stderr = rec.communicate(timeout=30)
    assert rec.returncode == 0, stderr
    assert "target exited: exit status 0" in stdout  # from taskstats: not our child
    rep = report(out)
    assert calls(rep, "getppid") == n
    cov = rep["coverage"]
    assert cov["attached_after_s"] > 0
    assert 0 <= cov["unobserved_s"] < 1.5


def test_a_5ms_command_is_recorded_reported_and_replayed(exact: Path, tmp_path: Path) -> None:
    from tests.support.replay import replay_screen_text

    out = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(out), "--", str(exact), "100", "5", "100",
                   str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    rep = report(out)
    assert rep["samples"] >= 1  # the exited process's last sample (the held one is its base)
    assert rep["duration_s"] < 1.0
    assert rep["io"]["write_bytes"] == 500
    text = replay_screen_text(out)
    assert "exact_calls" in text
    assert "exited" in text


def test_the_launch_bench_finds_no_misses() -> None:
    """bench/launch_exact.py repeats the exact-count run (50 times by default); here a few."""
    from tests.support.paths import REPO

    probes = "procfs" if bcc_missing() else "ebpf,perfcount,procfs"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "launch_exact.py"),
                           "--runs", "2", "--probes", probes],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:] if line and line[0] != " "]
    assert [r[0] for r in rows] == probes.split(",")
    assert all(r[2] == "0" for r in rows), done.stdout


@pytest.mark.skipif(PYSPY is None, reason="py-spy is not installed")
def test_a_stopped_recording_keeps_every_probes_last_frames(tmp_path: Path) -> None:
    """Ctrl-C on ``record``: py-spy's chunk under way (2 s long while recording) and procfs's and
    the syscall probe's interval under way are drained into the file before it closes."""
    target = subprocess.Popen([sys.executable, str(TARGETS / "hot_python.py")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert target.stdout is not None and target.stdout.readline() == "ready\n"
        out = tmp_path / "s.perftui"
        rec = start_record("-p", str(target.pid), "-o", str(out), "--probes", "procfs,pyspy")
        deadline = time.monotonic() + 30
        while not has_frame(out, "pyspy", "chunk"):  # py-spy's first chunk is in
            assert time.monotonic() < deadline, "no py-spy chunk"
            time.sleep(0.1)
        time.sleep(3.0)  # then stopped within a later chunk
        rec.send_signal(2)
        _, stderr = rec.communicate(timeout=30)
        assert rec.returncode == 0, stderr
    finally:
        target.kill()
        target.wait()
    rep = report(out)
    pyspy = rep["coverage"]["probes"]["pyspy"]
    # Without the drain py-spy's data would end with its last whole chunk, up to 2 s early.
    assert pyspy["from_s"] + pyspy["span_s"] > rep["duration_s"] - 1.0, rep["coverage"]


@needs_bcc
def test_tcp_bytes_to_the_last_are_counted(tmp_path: Path) -> None:
    """Every byte a short-lived target sent, over connections of any life, with its last
    bytes sent just before the exit closed the socket."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def drain(conn: socket.socket) -> None:
        with conn:
            while conn.recv(65536):
                pass

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=drain, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    out = tmp_path / "s.perftui"
    try:
        done = perftui("record", "-o", str(out), "--", sys.executable,
                       str(TARGETS / "tcp_send_exit.py"), str(port), "2")
    finally:
        stop.set()
    assert done.returncode == 0, done.stderr
    log = re.search(r"output is in (\S+)", done.stderr)
    assert log, done.stderr
    sent = int(Path(log.group(1)).read_text().split()[1])
    net = report(out)["net"]
    assert net["counted_by"] == "ebpf"
    assert net["sent_bytes"] == sent
    assert net["recv_bytes"] == 0


@pytest.mark.skipif(PYSPY is None, reason="py-spy is not installed")
def test_a_window_of_a_recording_gets_the_stacks_sampled_in_it(tmp_path: Path) -> None:
    """Recording, py-spy runs in 2 s chunks (counted at their midpoint): the seconds before
    a switch from phase_a to phase_b hold phase_a's samples, the seconds after phase_b's."""
    out = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(out), "--probes", "procfs,pyspy", "--",
                   sys.executable, str(TARGETS / "two_phases.py"), "5", timeout=120)
    assert done.returncode == 0, done.stderr
    log = re.search(r"output is in (\S+)", done.stderr)
    assert log, done.stderr
    switch = float(Path(log.group(1)).read_text().split()[1])

    def shares(start: float, end: float) -> dict[str, float]:
        rep = report_window(out, start, end)
        return {f["name"].split(" ")[0]: f["total_percent"] for f in rep.get("functions", [])}

    before, after = shares(switch - 4, switch - 1), shares(switch + 1, switch + 4)
    assert before.get("phase_a", 0) > 90 and before.get("phase_b", 0) < 10, before
    assert after.get("phase_b", 0) > 90 and after.get("phase_a", 0) < 10, after


def report_window(session: Path, start: float, end: float) -> dict[str, Any]:
    done = perftui("report", "--json", "--from", f"{start:.3f}", "--to", f"{end:.3f}",
                   str(session))
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result
