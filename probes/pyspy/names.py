"""Thread names and a first look at the target, from ``py-spy dump --json`` (~20-50 ms).

The record chunks name only the threads they sampled; a dump names every thread, idle ones
too, and is the probe's check that py-spy can read the target at all.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

from perftui.probes.spawn import CHILD_CWD

from .chunk import PYSPY_ENV
from .errors import Failure, classify


@dataclass(frozen=True)
class Dump:
    names: dict[int, str]  # tid -> thread name (threads py-spy could not name are left out)
    threads: int


def dump(pyspy: str, pid: int, pyspy_version: str = "",
         timeout: float = 10.0) -> Dump | Failure:
    """The target's thread names, or why py-spy cannot read the target."""
    try:
        run = subprocess.run([pyspy, "dump", "--json", "--nonblocking", "--pid", str(pid)],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                             env=PYSPY_ENV, cwd=CHILD_CWD, check=False)
    except subprocess.TimeoutExpired:
        return Failure("other", f"py-spy dump did not answer in {timeout:g} s", "")
    except OSError as e:
        return Failure("other", f"cannot run {pyspy}: {e.strerror or e}", "")
    out = run.stdout.decode("utf-8", "replace")
    if run.returncode != 0:
        return classify(out + run.stderr.decode("utf-8", "replace"), pyspy_version)
    try:
        traces = json.loads(out)
    except ValueError:
        return Failure("other", "py-spy dump --json printed something that is not JSON", "")
    names: dict[int, str] = {}
    for trace in traces if isinstance(traces, list) else []:
        if not isinstance(trace, dict):
            continue
        tid, name = trace.get("os_thread_id"), trace.get("thread_name")
        if isinstance(tid, int) and isinstance(name, str):
            names[tid] = name
    return Dump(names, len(traces) if isinstance(traces, list) else 0)


def pyspy_version(pyspy: str) -> str:
    """``0.4.3``, or "" when py-spy does not say."""
    try:
        run = subprocess.run([pyspy, "--version"], capture_output=True, timeout=10,
                             env=PYSPY_ENV, cwd=CHILD_CWD, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    words = run.stdout.decode("utf-8", "replace").split()
    return words[-1] if words else ""
