"""Recording real targets under perftui's real probes and reading the findings of their
reports (``perftui report --json``: the report path from the raw frames)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from perftui.findings import rank
from tests.support.cli import perftui
from tests.support.paths import REPO

Report = dict[str, Any]


def record(out: Path, *argv: str, probes: str | None = None, duration: float | None = None,
           timeout: float = 90) -> Report:
    """``perftui record -o OUT -- ARGV`` (until the target exits, or for ``duration``), then
    its report."""
    extra = ["--probes", probes] if probes else []
    extra += ["-d", str(duration)] if duration else []
    done = subprocess.run([sys.executable, "-m", "perftui", "record", "-o", str(out), *extra,
                           "--", *argv], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    rep = perftui("report", "--json", str(out))
    assert rep.returncode == 0, rep.stderr
    result: Report = json.loads(rep.stdout)
    return result


Job = tuple[Path, list[str], str | None]  # the session file, the command, --probes


def record_all(jobs: dict[str, Job], durations: dict[str, float] | None = None,
               ) -> dict[str, Report]:
    """Several recordings two at a time (they share the machine with the suite); a job
    named in ``durations`` is recorded that long (a target that does not exit)."""
    with ThreadPoolExecutor(2) as pool:
        futures = {name: pool.submit(record, out, *argv, probes=probes,
                                     duration=(durations or {}).get(name))
                   for name, (out, argv, probes) in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


def of_kind(report: Report, kind: str) -> list[dict[str, Any]]:
    return [f for f in report.get("findings", []) if f["kind"] == kind]


def worst(report: Report, kind: str) -> dict[str, Any]:
    """The most severe finding of ``kind`` (the test fails when there is none)."""
    found = of_kind(report, kind)
    assert found, f"no {kind} finding in {summaries(report)}"
    return max(found, key=lambda f: (rank(f["severity"]), f["figure"]))


def at_least_warning(f: dict[str, Any]) -> bool:
    return rank(f["severity"]) >= rank("warning")


def above_info(report: Report) -> list[str]:
    """Summaries of the findings above ``info`` (a healthy target has none)."""
    return [f"{f['kind']}: {f['summary']}" for f in report.get("findings", [])
            if rank(f["severity"]) > rank("info")]


def summaries(report: Report) -> list[str]:
    return [f"{f['severity']} {f['kind']}: {f['summary']}" for f in report.get("findings", [])]
