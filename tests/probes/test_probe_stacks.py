"""The BPF native stack probe against a C target built here with a known 75/25 split, a Python
target without frame pointers (leaf-only stacks, marked), and a machine without bcc."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from perftui.probes import companions
from perftui.probes.stacks.symbols import INCOMPLETE, Symbolizer
from perftui.views.stacks import folded, top_functions
from tests.support.paths import TARGETS
from tests.support.probes import StacksProbe, stacks_model
from tests.support.skips import needs_bpf

HOT = TARGETS / "hot_python.py"
C_TARGET = TARGETS / "hot_c.c"


@pytest.fixture(scope="module")
def c_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    out = tmp_path_factory.mktemp("hot_c") / "hot_c"
    subprocess.run(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", str(out), str(C_TARGET)],
                   check=True)
    return out


def _run(argv: list[str]) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()


@pytest.fixture
def c_target(c_binary: Path) -> Iterator[subprocess.Popen[str]]:
    yield from _run([str(c_binary)])


@pytest.fixture
def py_target() -> Iterator[subprocess.Popen[str]]:
    yield from _run([sys.executable, str(HOT)])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@needs_bpf
@pytest.mark.root
def test_c_target_split(c_target: subprocess.Popen[str]) -> None:
    cpu0, wall0 = _cpu_seconds(c_target.pid), time.monotonic()
    probe = StacksProbe(c_target.pid, "--count", "6")
    code, err = probe.finish(90)
    # The CPU the target really got (a busy machine gives it less than a core).
    cpu_share = (_cpu_seconds(c_target.pid) - cpu0) / (time.monotonic() - wall0)
    assert code == 0, err
    assert probe.frames[0]["caps"]["stacks"] == {"ok": True}
    model = stacks_model(probe)
    stacks = model.nativestacks
    rows = top_functions(stacks)
    share = {r.function: r.self_pct for r in rows}
    assert rows[0].function == "hot_a" and rows[0].location == "hot_c"
    assert abs(share["hot_a"] - 75) <= 5, share
    assert abs(share["hot_b"] - 25) <= 5, share
    paths = {tuple(label.split(" (")[0] for label in labels) for labels, _ in folded(stacks)}
    assert ("__libc_start_call_main", "main", "hot_a") in paths
    samples = stacks.stats().samples
    chunks = probe.kind("chunk")
    span = chunks[-1]["t1"] - chunks[0]["t0"]
    expected = cpu_share * span * 99  # 99 Hz of the target's CPU time
    assert 0.6 * expected <= samples <= 1.3 * expected, (samples, expected, cpu_share)
    assert sum(f["incomplete"] for f in probe.kind("chunk")) < samples * 0.05
    assert stacks.names[c_target.pid] == "hot_c"


@needs_bpf
@pytest.mark.root
def test_python_without_frame_pointers_is_leaf_only(py_target: subprocess.Popen[str]) -> None:
    probe = StacksProbe(py_target.pid, "--count", "2")
    code, err = probe.finish(90)
    assert code == 0, err
    stacks = stacks_model(probe).nativestacks
    lines = folded(stacks)
    assert lines
    marked = sum(n for labels, n in lines if labels[0] == INCOMPLETE)
    assert marked >= 0.9 * stacks.stats().samples
    assert all(len(labels) == 2 for labels, _ in lines if labels[0] == INCOMPLETE
               and not any("(kernel)" in x for x in labels))
    assert any("libpython" in labels[1] for labels, _ in lines if labels[0] == INCOMPLETE)


def test_without_bcc(py_target: subprocess.Popen[str]) -> None:
    probe = StacksProbe(py_target.pid, env={**os.environ, companions.NO_BCC_ENV: "1"})
    code, err = probe.finish(30)
    assert code == 2
    why = probe.frames[0]["caps"]["stacks"]
    assert not why["ok"] and why["why"] in err and "Traceback" not in err


@needs_bpf
@pytest.mark.root
def test_stops_on_stdin_eof(c_target: subprocess.Popen[str]) -> None:
    probe = StacksProbe(c_target.pid)
    probe.wait_for(lambda f: f["k"] == "chunk", timeout=60)
    assert probe.proc.stdin is not None
    probe.proc.stdin.close()
    started = time.monotonic()
    assert probe.finish(10)[0] == 0
    assert time.monotonic() - started < 2.5


def test_symbolizer_labels_and_marks() -> None:
    names = {1: "_start [app]", 2: "main [app]", 3: "leaf [libx.so]", 4: "[unknown]",
             5: "deep [app]"}
    sym = Symbolizer(lambda a: names[a], lambda a: "do_sys")
    full, partial = sym.stack((3, 2, 1), (9,), lost=False)  # addresses leaf first
    assert full == ("_start (app)", "main (app)", "leaf (libx.so)", "do_sys (kernel)")
    assert not partial
    cut, partial = sym.stack((3, 4, 5), (), lost=False)
    assert cut == (INCOMPLETE, "leaf (libx.so)") and partial
    lost, _ = sym.stack((), (), lost=True)
    assert lost[0] == "[stack lost]"
