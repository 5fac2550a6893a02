"""Files by what they are, not by fd number: a file opened, written and closed between two
readings keeps its path; fd numbers reused by other files do not mix them; relative paths
are resolved against the cwd and the directory fd; sockets are summed as sockets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import perftui
from tests.support.launch import report
from tests.support.paths import TARGETS
from tests.support.skips import bcc_missing

pytestmark = pytest.mark.skipif(bcc_missing() is not None, reason=bcc_missing() or "")


def test_short_lived_files_on_reused_fds_keep_their_paths(tmp_path: Path) -> None:
    work = tmp_path / "work"
    out = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(out), "--probes", "ebpf", "--", sys.executable,
                   str(TARGETS / "fd_reuse.py"), str(work))
    assert done.returncode == 0, done.stderr
    files = {f["path"]: f for f in report(out)["files"]}
    for i in range(3):  # each on the same fd number, opened by a relative path
        assert files[str(work / f"f{i}.bin")]["write_bytes"] == 1000 * (i + 1)
    assert files[str(work / "sub" / "g.bin")]["write_bytes"] == 777  # openat(dirfd, "g.bin")
    assert files[str(work / "f0.bin")]["read_bytes"] == 1000  # reopened to read it back
    sockets = files["(sockets)"]
    assert (sockets["read_bytes"], sockets["write_bytes"]) == (4321, 4321)  # both ends
    assert not [p for p in files if p.startswith("(fd ")], files


def test_transfers_count_both_sides_and_mass_closes_end_files(tmp_path: Path) -> None:
    """sendfile, copy_file_range and splice count the bytes read from the source and written
    to the destination; close_range and exec's close-on-exec end the files on their fds, so
    the next file on the same number starts from zero under its own name."""
    exe = tmp_path / "fd_transfers"
    subprocess.run(["cc", "-O1", "-o", str(exe), str(TARGETS / "fd_transfers.c")], check=True)
    work = tmp_path / "work"
    work.mkdir()
    out = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(out), "--probes", "ebpf", "--", str(exe), str(work))
    assert done.returncode == 0, done.stderr
    files = {f["path"]: f for f in report(out)["files"]}
    src = 300_000
    got = {name: (files[str(work / name)]["read_bytes"], files[str(work / name)]["write_bytes"])
           for name in ("src.bin", "sendfile.bin", "copy.bin", "splice.bin", "before_range.bin",
                        "after_range.bin", "cloexec.bin", "after_exec.bin")}
    assert got == {"src.bin": (3 * src, src), "sendfile.bin": (0, src), "copy.bin": (0, src),
                   "splice.bin": (0, src), "before_range.bin": (0, 100),
                   "after_range.bin": (0, 200), "cloexec.bin": (0, 50),
                   "after_exec.bin": (0, 70)}
    pipes = files["(pipes)"]  # splice's pipe: named by pipe2 although never read
    assert (pipes["read_bytes"], pipes["write_bytes"]) == (src, src)
    assert not [p for p in files if p.startswith("(fd ")], files
    assert not [f for f in files.values() if f.get("opened_before_attach")
                and f["path"].startswith(str(work))]
