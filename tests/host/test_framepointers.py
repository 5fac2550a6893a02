"""Frame-pointer detection on programs built here both ways, and its row in `perftui doctor`."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from perftui.host import doctor, framepointers
from tests.support.paths import TARGETS

HOT_C = TARGETS / "hot_c.c"
pytestmark = pytest.mark.skipif(platform.machine() != "x86_64" or shutil.which("gcc") is None,
                                reason="x86-64 prologues, built with gcc")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("fp")
    flags = {"with": ["-O1", "-fno-omit-frame-pointer"], "without": ["-O2", "-fomit-frame-pointer"]}
    paths = {}
    for name, extra in flags.items():
        paths[name] = out / f"hot_c_{name}"
        subprocess.run(["gcc", *extra, "-o", str(paths[name]), str(HOT_C)], check=True)
    return paths


def test_builds_with_and_without_frame_pointers_are_told_apart(
        builds: dict[str, Path]) -> None:
    kept = framepointers.inspect(str(builds["with"]))
    dropped = framepointers.inspect(str(builds["without"]))
    assert kept.kept is True and kept.functions >= 3, kept
    assert dropped.kept is False and dropped.share == 0.0, dropped


def test_not_elf_and_missing_files_cannot_tell(tmp_path: Path) -> None:
    text = tmp_path / "script.sh"
    text.write_text("#!/bin/sh\n")
    assert framepointers.inspect(str(text)).why == "not a 64-bit little-endian ELF file"
    missing = framepointers.inspect(str(tmp_path / "nothing"))
    assert missing.kept is None and "No such file" in missing.why


def _spawn(path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("build", ["with", "without"])
def test_doctor_says_whether_native_stacks_will_be_whole(builds: dict[str, Path],
                                                         build: str) -> None:
    for proc in _spawn(builds[build]):
        rows = list(doctor.check_frame_pointers(proc.pid))
    assert len(rows) == 1
    if build == "with":
        assert rows[0].level is doctor.Level.OK and "whole call chains" in rows[0].detail
    else:
        assert rows[0].level is doctor.Level.DEGRADED
        assert "leaf function only" in rows[0].detail
        assert rows[0].fix and "-fno-omit-frame-pointer" in rows[0].fix


def test_a_python_process_is_judged_by_its_libpython_when_it_has_one() -> None:
    maps = Path("/proc/self/maps").read_text()
    if "/libpython" not in maps:
        pytest.skip("this Python links libpython statically")
    rows = list(doctor.check_frame_pointers(os.getpid()))
    # the executable alone (a main() and little else) cannot tell; its libpython can
    assert len(rows) == 1 and "libpython" in rows[0].detail, rows
