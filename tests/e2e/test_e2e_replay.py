"""Record from the live view and replay it, the real ``perftui`` in a real terminal (tmux)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from perftui.session import SessionReader, new_header
from perftui.session.writer import write_frames
from tests.support.framegen import GenConfig, frames
from tests.support.paths import REPO
from tests.support.tmux_driver import Tmux

pytestmark = pytest.mark.tmux

PERFTUI = [sys.executable, "-m", "perftui"]
ENV = {"PYTHONPATH": str(REPO)}
TIMELINE = re.compile(r"(\d\d:\d\d:\d\d) / (\d\d:\d\d:\d\d)")


def in_dir(directory: Path, argv: list[str]) -> list[str]:
    """``argv`` run from ``directory`` (where ``r`` writes its file)."""
    return ["sh", "-c", f'cd "{directory}" && exec "$@"', "sh", *argv]


def position(screen: str) -> tuple[str, str] | None:
    m = TIMELINE.search(screen)
    return (m.group(1), m.group(2)) if m else None


def test_r_records_and_the_recording_replays(target: subprocess.Popen[str],
                                             tmp_path: Path) -> None:
    live = Tmux(in_dir(tmp_path, [*PERFTUI, "-p", str(target.pid)]), 120, 40, env=ENV)
    try:
        live.wait_for(lambda s: "busy-worker" in s)
        live.keys("r")
        live.wait_for(lambda s: "● REC" in s)
        time.sleep(3)
        live.keys("r")
        live.wait_for(lambda s: "● REC" not in s)
        live.keys("q")
        live.wait_for(lambda s: "EXITED=0" in s)
    finally:
        live.kill()
    files = list(tmp_path.glob(f"perftui-*-{target.pid}-*.perftui"))
    assert len(files) == 1, files
    with SessionReader(str(files[0])) as reader:
        assert reader.closed_cleanly
        samples = [f for s, _, f in reader.frames() if s == "procfs" and f["k"] == "sample"]
    assert 2 <= len(samples) <= 5  # about 3 s at 1 s

    replay = Tmux(in_dir(tmp_path, [*PERFTUI, "replay", files[0].name]), 120, 40, env=ENV)
    try:
        screen = replay.wait_for(lambda s: "busy-worker" in s and position(s) is not None)
        assert "REPLAY" in screen and files[0].name[:20] in screen
        replay.keys("End")
        screen = replay.wait_for(lambda s: "at end" in s)
        end = position(screen)
        assert end is not None and end[0] == end[1] and end[1] != "00:00:00"
        replay.keys("Home")
        replay.wait_for(lambda s: (position(s) or ("",))[0] == "00:00:00" and "at end" not in s)
        replay.keys("q")
        replay.wait_for(lambda s: "EXITED=0" in s)
    finally:
        replay.kill()


def test_diff_on_a_terminal_is_a_screen(tmp_path: Path) -> None:
    base = GenConfig(samples=61)
    write_frames(str(tmp_path / "a.perftui"), new_header(base.pid), frames(base))
    write_frames(str(tmp_path / "b.perftui"), new_header(base.pid),
                 frames(replace(base, cpu_user=base.cpu_user * 1.5)))
    t = Tmux(in_dir(tmp_path, [*PERFTUI, "diff", "a.perftui", "b.perftui"]), 100, 30, env=ENV)
    try:
        t.wait_for(lambda s: "regression(s)" in s and "CPU average" in s and "worse" in s)
        t.keys("q")
        t.wait_for(lambda s: "EXITED=1" in s)  # regressions: status 1, as without a terminal
    finally:
        t.kill()
