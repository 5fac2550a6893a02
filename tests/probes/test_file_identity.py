"""Files by what they are, not by fd number: a file opened, written and closed between two
readings keeps its path; fd numbers reused by other files do not mix them; relative paths
are resolved against the cwd and the directory fd; closed sockets are summed as sockets."""

from __future__ import annotations

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
    sockets = files["(closed sockets)"]
    assert (sockets["read_bytes"], sockets["write_bytes"]) == (4321, 4321)  # both ends
    assert not [p for p in files if p.startswith("(fd ")], files
