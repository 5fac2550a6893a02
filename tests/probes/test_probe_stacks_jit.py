"""The native stack sampler names code a JIT wrote, from the JIT's /tmp/perf-PID.map: a C
target copies a loop into anonymous executable memory and names it there."""

from __future__ import annotations

import platform
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from perftui.probes.stacks.symbols import INCOMPLETE
from perftui.views.stacks import folded, top_functions
from tests.support.paths import TARGETS
from tests.support.probes import StacksProbe, stacks_model
from tests.support.skips import needs_bpf

JIT_SOURCE = TARGETS / "jit_c.c"


@pytest.fixture
def jit_target(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    if platform.machine() != "x86_64":
        pytest.skip("the target's machine code is x86-64")
    binary = tmp_path / "jit_c"
    subprocess.run(["gcc", "-O1", "-o", str(binary), str(JIT_SOURCE)], check=True)
    proc = subprocess.Popen([str(binary)], stdout=subprocess.PIPE, text=True)
    perf_map = Path(f"/tmp/perf-{proc.pid}.map")
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()
        perf_map.unlink(missing_ok=True)


@needs_bpf
@pytest.mark.root
def test_jitted_code_is_named_from_the_perf_map(jit_target: subprocess.Popen[str]) -> None:
    probe = StacksProbe(jit_target.pid, "--count", "3")
    code, err = probe.finish(90)
    assert code == 0, err
    stacks = stacks_model(probe).nativestacks
    rows = top_functions(stacks)
    assert rows, "no samples"
    top = rows[0]
    assert top.function == "jitted_spin_loop", rows[:3]
    assert top.location == f"perf-{jit_target.pid}.map"
    assert top.self_pct >= 90
    # JIT code keeps no frame pointers: the stack is the leaf alone, marked as such
    marked = sum(n for labels, n in folded(stacks) if labels[0] == INCOMPLETE)
    assert marked >= 0.9 * stacks.stats().samples
