"""Python thread names from the pyspy stream in the CPU pane's thread table."""

from __future__ import annotations

import re

from perftui.model import Model
from perftui.ui import create_app
from perftui.ui.widgets.cpu import python_name
from perftui.views.snapshot import ThreadRow, build_snapshot
from tests.support.app import run_async, text_of
from tests.support.framegen import PushSource, frames
from tests.support.hot import CFG, MAIN, WORKER, PyFrames, profile


def row(name: str, py_name: str | None) -> ThreadRow:
    return ThreadRow(1, name, "S", None, None, None, None, 0, py_name)


def test_snapshot_carries_the_python_name_of_named_tids_only() -> None:
    model = Model()
    for stream, frame in profile(chunks=1):
        model.apply(stream, frame)
    by_tid = {t.tid: t for t in build_snapshot(model).cpu.threads}
    assert by_tid[MAIN].py_name == "MainThread" and by_tid[MAIN].name == "python3"
    assert by_tid[WORKER].py_name == "hot-worker"
    assert by_tid[4244].py_name is None  # py-spy never named it


def test_python_name_only_when_it_says_more_than_comm() -> None:
    assert python_name(row("python3", "MainThread")) == "MainThread"
    assert python_name(row("worker", "worker")) == ""
    assert python_name(row("worker", None)) == ""
    # comm is the first 15 bytes of a name set with prctl: nothing new in the Python name.
    assert python_name(row("ingest-pool-wor", "ingest-pool-worker-3")) == ""


@run_async
async def test_threads_pane_shows_python_names_once_pyspy_names_them() -> None:
    source = PushSource(frames(CFG))
    app = create_app(source, interval=1.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert "hot-worker" not in text_of(app, "cpu")
        py = PyFrames()
        for stream, frame in (py.hello(), py.chunk(0, [("a (a.py:1)", WORKER, 10)])):
            source.push(stream, frame)
        await pilot.pause(1.2)
        cpu = text_of(app, "cpu")
        assert "PYTHON NAME" in cpu
        assert re.search(r"python3 .* MainThread", cpu)
        assert re.search(r"worker-0 .* hot-worker", cpu)
        # 4244: no Python name; comm stays the NAME column (what ps and top show).
        assert re.search(r"4244 worker-1 .*\d\s*$", cpu, re.M)
