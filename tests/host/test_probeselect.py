"""Probe selection against real processes: a CPython target gets pyspy, others do not."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from perftui.host.probeselect import PROCFS, pyspy_spec, select_probes
from perftui.probes.targetinfo import age, gone_reason, python_version
from tests.support.paths import TARGETS

HOT = TARGETS / "hot_python.py"
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture(autouse=True)
def no_syscall_probe(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pyspy/stacks choices alone; the syscall probe's choice has its own tests."""
    if "syscall_choice" not in request.node.name:
        import perftui.host.probeselect as ps

        monkeypatch.setattr(ps, "syscall_probe", lambda: (None, ""))


@pytest.fixture
def python_target() -> Iterator[int]:
    proc = subprocess.Popen([sys.executable, str(HOT)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.fixture
def sleeper() -> Iterator[int]:
    proc = subprocess.Popen(["sleep", "60"])
    yield proc.pid
    proc.kill()
    proc.wait()


def test_python_target_gets_pyspy(python_target: int) -> None:
    sel = select_probes(python_target)
    assert [p.name for p in sel.probes] == ["procfs", "pyspy"]
    assert sel.probes[0] == PROCFS and sel.python == VERSION and sel.notes == ()
    argv = sel.probes[1].argv(python_target, 1.0)
    assert argv[1] == "-I" and argv[argv.index("perftui.probes.pyspy") + 1:][:2] == ["--pid",
                                                                           str(python_target)]
    off = select_probes(python_target, python=False, native_stacks=False)
    assert [p.name for p in off.probes] == ["procfs"] and off.notes


def test_other_target_gets_procfs_only(sleeper: int) -> None:
    sel = select_probes(sleeper, native_stacks=False)
    assert [p.name for p in sel.probes] == ["procfs"]
    assert sel.python is None and "does not look like CPython" in sel.notes[0]
    forced = select_probes(sleeper, python=True, pyspy=pyspy_spec(rate=50, idle=True))
    assert forced.probes[1].args == ["--rate", "50", "--max-chunk", "8", "--idle"]
    native = select_probes(sleeper, native_stacks=True)
    assert [(p.name, p.module) for p in native.probes] == [("procfs", "perftui.probes.procfs"),
                                                           ("stacks", "perftui.probes.stacks")]


def test_target_helpers(python_target: int, sleeper: int) -> None:
    assert python_version(python_target) == VERSION
    assert python_version(sleeper) is None
    assert python_version(2**22 + 1) is None
    assert gone_reason(python_target) is None and gone_reason(2**22 + 1) == "exited"
    seconds = age(python_target)
    assert seconds is not None and 0 <= seconds < 30
    zombie = subprocess.Popen(["true"])
    while gone_reason(zombie.pid) is None:
        pass
    assert gone_reason(zombie.pid) == "zombie"
    zombie.wait()


def test_native_stacks_by_default_for_other_targets_when_they_can_run(
        sleeper: int, python_target: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import perftui.host.probeselect as ps

    monkeypatch.setattr(ps, "native_stacks_possible", lambda: True)
    assert [p.name for p in select_probes(sleeper).probes] == ["procfs", "stacks"]
    assert [p.name for p in select_probes(python_target).probes] == ["procfs", "pyspy"]
    monkeypatch.setattr(ps, "native_stacks_possible", lambda: False)
    assert [p.name for p in select_probes(sleeper).probes] == ["procfs"]


def test_native_stacks_possible_follows_bcc(monkeypatch: pytest.MonkeyPatch) -> None:
    from perftui.host.probeselect import native_stacks_possible

    monkeypatch.setenv("PERFTUI_NO_BCC", "1")
    assert native_stacks_possible() is False


def test_syscall_choice_ebpf_then_perfcount_then_none(
        sleeper: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import perftui.host.probeselect as ps

    def names() -> list[str]:
        return [p.name for p in select_probes(sleeper, native_stacks=False).probes]

    monkeypatch.setattr(ps, "native_stacks_possible", lambda: True)
    assert names() == ["procfs", "ebpf"]  # procfs first: its frames come at once
    monkeypatch.setattr(ps, "native_stacks_possible", lambda: False)
    monkeypatch.setattr(ps, "perf_tracepoints_allowed", lambda: True)
    assert names() == ["procfs", "perfcount"]
    assert any("needs root and bcc" in n
               for n in select_probes(sleeper, native_stacks=False).notes)
    monkeypatch.setattr(ps, "perf_tracepoints_allowed", lambda: False)
    assert names() == ["procfs"]
    assert select_probes(sleeper, native_stacks=False, syscalls=False).probes == (PROCFS,)
