"""Windows that add up on a real recording: a 60 s session of a steady target, split by
``report --from/--to`` into six windows, sums to the whole (syscalls, files, io, net exactly;
stack samples within 1 %)."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import perftui, start_record
from tests.support.launch import report
from tests.support.paths import TARGETS
from tests.support.skips import bcc_missing

pytestmark = pytest.mark.skipif(bcc_missing() is not None, reason=bcc_missing() or "")
LENGTH_S = 60


def counts(rep: dict[str, Any]) -> dict[str, float]:
    """The report's additive figures, flattened."""
    out: dict[str, float] = {f"io.{k}": v for k, v in rep["io"].items() if v is not None}
    out.update({f"syscalls.{r['name']}": r["count"] for r in rep.get("syscalls", [])})
    for r in rep.get("files", []):
        out[f"files.{r['path']}.r"], out[f"files.{r['path']}.w"] = (r["read_bytes"],
                                                                    r["write_bytes"])
    out["net.sent"], out["net.recv"] = rep["net"]["sent_bytes"], rep["net"]["recv_bytes"]
    return out


def window(session: Path, *bounds: str) -> dict[str, Any]:
    done = perftui("report", "--json", *bounds, str(session))
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_six_windows_of_a_real_minute_sum_to_the_whole(tmp_path: Path) -> None:
    out = tmp_path / "s.perftui"
    rec = start_record("-o", str(out), "--", sys.executable, str(TARGETS / "steady_mix.py"),
                       str(tmp_path))
    try:
        # the probes' start and the held launch (up to 6 s on a loaded host), then a minute
        time.sleep(LENGTH_S + 6)
        assert rec.poll() is None, rec.communicate()
    finally:
        rec.send_signal(signal.SIGINT)
        rec.communicate(timeout=60)
    whole_rep = report(out)
    assert whole_rep["duration_s"] >= LENGTH_S
    assert whole_rep.get("functions"), "py-spy sampled nothing"
    whole = counts(whole_rep)
    bounds = [f"{10 * k}" for k in range(6)]
    parts = []
    for k, start in enumerate(bounds):
        args = ["--from", start] + (["--to", bounds[k + 1]] if k + 1 < len(bounds) else [])
        parts.append(window(out, *args))
    summed = {key: sum(counts(p).get(key, 0) for p in parts) for key in whole}
    assert summed == whole
    assert whole[f"files.{tmp_path / 'data.bin'}.w"] > 4096 * 1000  # the work was seen
    samples = [p["samples"] for p in parts]
    assert sum(samples) == pytest.approx(whole_rep["samples"], rel=0.01)
    stack = [sum(f["self_samples"] for f in p.get("functions", [])) for p in parts]
    whole_stack = sum(f["self_samples"] for f in whole_rep["functions"])
    assert sum(stack) == pytest.approx(whole_stack, rel=0.01)
    assert all(s > 0 for s in stack), stack  # 2 s chunks while recording: each window has some
