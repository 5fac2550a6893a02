"""``perftui report`` and ``export --format json``: numbers a real target is known to produce,
and exact ones from generated sessions."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from perftui.session import new_header
from perftui.session.writer import write_frames
from tests.support.cli import perftui, start_record, wait_samples
from tests.support.framegen import GenConfig, Thread, frames
from tests.support.paths import REPO
from tests.support.stacks import with_stacks
from tests.targets.ctlpage import Page

TOP_KEYS = {"duration_s", "pid", "command", "cpu", "memory", "io", "net", "threads"}


def gen_session(path: Path, **cfg: Any) -> GenConfig:
    config = GenConfig(**cfg)
    write_frames(str(path), new_header(config.pid), frames(config))
    return config


def report(*args: str) -> dict[str, Any]:
    r = perftui("report", *args, "--json")
    assert r.returncode == 0, r.stderr
    data: dict[str, Any] = json.loads(r.stdout)
    return data


def test_io_of_a_real_target_is_exact(tmp_path: Path) -> None:
    import subprocess

    page = Page(str(tmp_path / "io.ctl"), create=True)
    target = subprocess.Popen([sys.executable, str(REPO / "tests/targets/io_target.py"),
                               page.path, str(tmp_path / "data")], stdout=subprocess.PIPE,
                              text=True, stdin=subprocess.DEVNULL)
    try:
        assert target.stdout is not None and target.stdout.readline().startswith("ready")
        out = tmp_path / "io.perftui"
        rec = start_record("-p", str(target.pid), "-i", "0.2", "-o", str(out))
        before = wait_samples(out, 2)
        assert page.send(1, 1_234_567, 9) == 1_234_567
        wait_samples(out, len(before) + 3)
        rec.send_signal(signal.SIGINT)
        _, err = rec.communicate(timeout=20)
        assert rec.returncode == 0, err
    finally:
        target.kill()
        target.wait()
    data = report(str(out))
    assert set(data) >= TOP_KEYS
    assert data["pid"] == target.pid and "io_target.py" in data["command"]
    assert data["io"] == {"read_bytes": 0, "write_bytes": 1_234_567, "read_calls": 0,
                          "write_calls": 9}
    assert data["memory"]["rss_max_bytes"] >= data["memory"]["rss_start_bytes"] > 0
    assert data["net"]["connections"] == []


def test_threads_of_a_real_target_by_name(tmp_path: Path) -> None:
    out = tmp_path / "w.perftui"
    r = perftui("record", "-i", "0.2", "-o", str(out), "--", sys.executable,
                str(REPO / "tests/targets/named_workers.py"), "--exit-after", "2.5")
    assert r.returncode == 0, r.stderr
    data = report(str(out))
    names = [t["name"] for t in data["threads"]]
    assert names[0] == "busy-worker"  # busiest first
    assert {"idle-a", "idle-b"} <= set(names)
    busy = data["threads"][0]["cpu_percent_avg"]
    assert busy > 20 and all(t["cpu_percent_avg"] < 5 for t in data["threads"][1:]
                             if t["name"].startswith("idle"))
    assert data["cpu"]["avg_percent"] >= busy * 0.9 and data["cpu"]["max_percent"] <= 200
    assert 1.0 <= data["duration_s"] <= 4.0


def test_generated_session_exact_values(tmp_path: Path) -> None:
    path = tmp_path / "g.perftui"
    cfg = gen_session(path, samples=301, rss_growth_per_s=4096)
    data = report(str(path))
    assert data["duration_s"] == 300.0
    assert data["cpu"] == {"avg_percent": pytest.approx(75.0), "max_percent": pytest.approx(75.0)}
    mem = data["memory"]
    assert mem["rss_start_bytes"] == cfg.rss0
    assert mem["rss_end_bytes"] == mem["rss_max_bytes"] == cfg.rss0 + 4096 * 300
    assert mem["rss_growth_bytes_per_s"] == pytest.approx(4096)
    assert data["io"] == {"read_bytes": cfg.rchar_per_s * 300, "write_bytes": cfg.wchar_per_s * 300,
                          "read_calls": cfg.syscr_per_s * 300,
                          "write_calls": cfg.syscw_per_s * 300}
    conns = {c["remote"]: c for c in data["net"]["connections"]}
    assert conns["10.0.0.9:5432"]["sent_bytes"] == 20 * 1024 * 300
    assert data["net"]["recv_bytes"] == (180 + 2) * 1024 * 300
    assert [t["name"] for t in data["threads"]][:2] == ["worker-0", "worker-1"]
    assert data["threads"][0]["cpu_percent_avg"] == pytest.approx(75.0 * 0.40)
    for absent in ("syscalls", "files", "functions"):
        assert absent not in data


@pytest.mark.parametrize(("window", "seconds"), [
    (["--from", "100", "--to", "200"], 100),
    (["--from", "1m", "--to", "2m"], 60),
    (["--from=-30"], 30),
    (["--from", str(1_700_000_000 + 250)], 50),
])
def test_windows(tmp_path: Path, window: list[str], seconds: int) -> None:
    path = tmp_path / "g.perftui"
    cfg = gen_session(path, samples=301)
    data = report(str(path), *window)
    assert data["duration_s"] == seconds
    assert data["io"]["write_calls"] == cfg.syscw_per_s * seconds
    assert data["samples"] == seconds


def test_threads_appearing_late_average_over_their_life(tmp_path: Path) -> None:
    path = tmp_path / "g.perftui"
    gen_session(path, samples=50,
                threads=(Thread(1, "main", 1.0, 1),))
    data = report(str(path))
    assert data["threads"] == [{"tid": 1, "name": "main", "cpu_percent_avg": pytest.approx(75)}]


def test_export_json_is_the_report_and_stacks_need_samples(tmp_path: Path) -> None:
    path = tmp_path / "g.perftui"
    gen_session(path, samples=20)
    r = perftui("export", str(path), "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout) == report(str(path))
    out = tmp_path / "out.json"
    assert perftui("export", str(path), "--format", "json", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text()) == report(str(path))
    for fmt in ("folded", "speedscope"):
        r = perftui("export", str(path), "--format", fmt)
        assert r.returncode == 2
        assert r.stderr.strip() == "perftui: this session has no stack samples"


def test_human_table(tmp_path: Path) -> None:
    path = tmp_path / "g.perftui"
    gen_session(path, samples=61)
    r = perftui("report", str(path))
    assert r.returncode == 0, r.stderr
    for text in ("pid 4242", "1m00s, 61 samples", "75.0%", "worker-0", "10.0.0.9:5432",
                 "RSS growth"):
        assert text in r.stdout, text


@pytest.mark.parametrize("cmd", ["report", "export", "replay"])
def test_bad_files_are_one_line_exit_2(tmp_path: Path, cmd: str) -> None:
    cases = {"empty": b"", "foreign": b"#!/bin/sh\necho hi\n"}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        extra = ["--format", "json"] if cmd == "export" else []
        r = perftui(cmd, str(path), *extra)
        assert r.returncode == 2, (name, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = perftui(cmd, str(tmp_path / "missing"), *(["--format", "json"] if cmd == "export"
                                                   else []))
    assert r.returncode == 2 and "No such file" in r.stderr


def test_a_cut_file_reports_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "g.perftui"
    gen_session(path, samples=100)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) * 2 // 3])
    r = perftui("report", str(path), "--json")
    assert r.returncode == 0
    assert "warning" in r.stderr and "cut short" in r.stderr
    assert 50 <= json.loads(r.stdout)["duration_s"] < 99


def test_record_cpu_is_small(tmp_path: Path) -> None:
    """The recorder's own cost for an hour of 1 s frames (the bench measures it finely)."""
    import msgpack

    from perftui.session import SessionRecorder

    recs = [(s, msgpack.packb(f, use_bin_type=True), f)
            for s, f in frames(GenConfig(samples=600))]
    rec = SessionRecorder(str(tmp_path / "c.perftui"), new_header(1))
    t = time.process_time()
    for s, raw, f in recs:
        rec.write(s, raw, f)
        if f["k"] == "self":
            rec.flush()
    rec.close()
    per_second = (time.process_time() - t) / 600
    assert per_second < 0.005 * 0.5  # well under 0.5% of a core


def test_stack_exports_and_functions(tmp_path: Path) -> None:
    cfg = GenConfig(samples=61)
    path = tmp_path / "py.perftui"
    write_frames(str(path), new_header(cfg.pid), with_stacks(cfg, 0.7))
    r = perftui("export", str(path), "--format", "folded")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "main (app.py:1);work (app.py:5);hot (app.py:9) 4200",
        "main (app.py:1);idle (app.py:20) 1800"]
    r = perftui("export", str(path), "--format", "folded", "--from", "30")
    assert r.stdout.splitlines()[0].endswith(" 2100")  # chunks from 30 s on (midpoints)
    r = perftui("export", str(path), "--format", "speedscope")
    doc = json.loads(r.stdout)
    assert {f["name"] for f in doc["shared"]["frames"]} == {"main", "work", "hot", "idle"}
    assert sum(doc["profiles"][0]["weights"]) == pytest.approx(60.0)  # seconds at 100 Hz
    functions = {f["name"]: f for f in report(str(path))["functions"]}
    assert functions["hot (app.py:9)"]["self_percent"] == pytest.approx(70.0)
    assert functions["main (app.py:1)"]["total_percent"] == pytest.approx(100.0)


def test_diff_flags_a_function_that_got_hotter(tmp_path: Path) -> None:
    cfg = GenConfig(samples=61)
    a, b = tmp_path / "a.perftui", tmp_path / "b.perftui"
    write_frames(str(a), new_header(cfg.pid), with_stacks(cfg, 0.5))
    write_frames(str(b), new_header(cfg.pid), with_stacks(cfg, 0.8))
    r = perftui("diff", str(a), str(b), "--json")
    assert r.returncode == 1
    flagged = json.loads(r.stdout)["regressions"]
    assert flagged == ["functions.hot (app.py:9)", "functions.work (app.py:5)"]


def _ebpf_missing() -> str | None:
    import os

    from perftui.probes import companions
    if os.geteuid() != 0:
        return "needs root: loads BPF programs"
    loc = companions.locate_bcc()
    return None if loc.ok else f"bcc not importable: {loc.detail}"


@pytest.mark.root
@pytest.mark.skipif(_ebpf_missing() is not None, reason=str(_ebpf_missing()))
def test_report_counts_syscalls_up_to_the_last_ebpf_frame(tmp_path: Path) -> None:
    """The target's calls just before it exits reach only the ebpf probe's last sys frame,
    after procfs's last sample: the report must still count them all."""
    import os
    import subprocess

    from perftui.session import SessionReader

    target = subprocess.Popen(
        [sys.executable, str(REPO / "tests/targets/thread_syscalls.py"), "3000", "1000", "0"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "SYSCALL_TARGET_LINGER": "0"})
    out = tmp_path / "last.perftui"
    rec = None
    try:
        assert target.stdout is not None and target.stdout.readline().startswith("ready")
        rec = start_record("-p", str(target.pid), "-i", "0.5", "--probes", "procfs,ebpf",
                           "-o", str(out))
        deadline = time.monotonic() + 90  # compiling takes seconds on a busy machine
        while time.monotonic() < deadline:
            try:
                with SessionReader(str(out)) as r:
                    if any(s == "ebpf" and f["k"] == "sys" for s, _, f in r.frames()):
                        break
            except Exception:  # not written yet, or half a frame
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("no ebpf sys frame recorded")
        target.send_signal(signal.SIGUSR1)
        assert target.wait(30) == 0
        _, err = rec.communicate(timeout=30)  # ends by itself: the target is gone
        assert rec.returncode == 0, err
    finally:
        for proc in (target, rec):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    rows = {r["name"]: r for r in report(str(out))["syscalls"]}
    assert rows["getppid"]["count"] == 4000
