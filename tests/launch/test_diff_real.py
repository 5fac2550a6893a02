"""perftui diff on real recordings: more work at the same cost is not a regression (an HTTP
server at 1x and 3x the requests), a function made three times slower per call is."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.launch.test_real_programs import _tool
from tests.support.cli import perftui, start_record
from tests.support.httpserver import recorded_server
from tests.support.paths import TARGETS
from tests.support.skips import bcc_missing

needs_bcc = pytest.mark.skipif(bcc_missing() is not None, reason=bcc_missing() or "")
SERVE_S = 12.0  # each server session lasts this long after it serves: equal spans
# One request at a time: with 4 at once, the server's thread per request fought for the GIL
# by chance (14k futex calls for 3000 requests in one run, 145k in the next), and CPU per
# byte went 35 % up or not from one run to the next: a true figure, but not the workload's.
CLIENTS = "1"


def diff(a: Path, b: Path) -> tuple[int, dict[str, Any]]:
    done = perftui("diff", "--json", str(a), str(b))
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return done.returncode, result


def serve_and_load(tmp: Path, name: str, requests: int) -> tuple[Path, int]:
    """Record http.server for SERVE_S seconds, ``ab -n requests`` at its start; the session
    and the bytes ab says it received."""
    www = tmp / "www"
    www.mkdir(exist_ok=True)
    (www / "f10k.bin").write_bytes(b"x" * 10240)
    out = tmp / f"{name}.perftui"
    with recorded_server(www, out) as port:
        began = time.monotonic()
        run = subprocess.run([_tool("ab"), "-q", "-n", str(requests), "-c", CLIENTS,
                              f"http://127.0.0.1:{port}/f10k.bin"],
                             capture_output=True, text=True, timeout=120, check=True)
        assert time.monotonic() - began < SERVE_S - 2, "the load outlasted the session"
        time.sleep(SERVE_S - (time.monotonic() - began))
    said = dict(re.findall(r"^([A-Z][\w ]+):\s+([\d.]+)", run.stdout, re.M))
    assert int(said["Failed requests"]) == 0
    return out, int(said["Total transferred"])


@needs_bcc
def test_three_times_the_requests_is_workload_not_a_regression(tmp_path: Path) -> None:
    a, sent_a = serve_and_load(tmp_path, "a", 1000)
    b, sent_b = serve_and_load(tmp_path, "b", 3000)
    status, d = diff(a, b)
    assert d["regressions"] == [] and status == 0, d["regressions"]
    work = d["workload"]
    assert work["measure"] == "TCP bytes" and work["ratio"] == pytest.approx(3.0, rel=0.1)
    sent = next(m for m in d["metrics"] if m["metric"] == "net.sent_bytes/s")
    assert sent["b"] / sent["a"] == pytest.approx(sent_b / sent_a, rel=0.05)
    accepts = next(r for r in d["syscalls"] if r["name"] in ("accept", "accept4"))
    assert accepts["b"] / accepts["a"] == pytest.approx(3.0, rel=0.1)
    assert accepts["worse_if"] is None and not accepts["regression"]
    cpu = next(m for m in d["metrics"] if m["metric"] == "cpu.avg_percent")
    assert cpu["b"] > 1.5 * cpu["a"]  # it did cost more CPU: judged per byte, it is not worse
    assert "per_work" in cpu and not cpu["per_work"]["regression"]


def record_for(tmp: Path, name: str, seconds: float, *argv: str) -> Path:
    out = tmp / f"{name}.perftui"
    rec = start_record("-o", str(out), "--probes", "procfs,pyspy", "--", *argv)
    try:
        time.sleep(seconds)
    finally:
        rec.send_signal(signal.SIGINT)
        rec.communicate(timeout=30)
    return out


def test_a_function_three_times_slower_per_call_is_flagged_per_cpu_second(
        tmp_path: Path) -> None:
    target = str(TARGETS / "two_costs.py")
    a = record_for(tmp_path, "a", 8, sys.executable, target)
    b = record_for(tmp_path, "b", 8, sys.executable, target, "--slow")
    status, d = diff(a, b)
    rows = {r["name"].split(" ")[0]: r for r in d["functions"]}
    hot, other = rows["hot"], rows["other"]
    per = hot["samples_per_cpu_s"]
    assert per["worse_if"] == "higher" and per["regression"], per
    # A quarter of the samples -> a half.  The share is a sampled figure: from about 800
    # samples a side, three standard errors of the ratio are about a fifth of it (more with
    # samples lost on a loaded host).  Samples per CPU second are skewed by load besides
    # (py-spy counts a runnable thread waiting for a CPU as active), so they only must rise.
    assert hot["b"] / hot["a"] == pytest.approx(2.0, rel=0.3)
    assert per["b"] / per["a"] > 1.5
    assert not other["regression"]
    assert status == 1 and [r for r in d["regressions"] if r.startswith("functions.")] == [
        f"functions.{hot['name']}"]
