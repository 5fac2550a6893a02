"""The hot-functions drill-down on synthetic pyspy chunks with a known profile: the frames,
and reading the screen."""

from __future__ import annotations

from typing import Any

from perftui.ui.app import PerftuiApp
from perftui.ui.screens.hot import HotScreen
from perftui.ui.widgets.topfuncs import TopFunctions
from tests.support.app import screen_lines
from tests.support.framegen import Frame, GenConfig, frames

CFG = GenConfig(samples=5)
MAIN, WORKER = 4242, 4243  # tids: the main thread, a worker
A = "work (hot.py:30);hot_a (hot.py:10)"
B = "work (hot.py:30);hot_b (hot.py:20)"


class PyFrames:
    """pyspy frames as the probe writes them: labels and stacks interned once per stream."""

    def __init__(self, t0: float = CFG.t0) -> None:
        self.t0 = t0
        self.seq = 1
        self.strs: dict[str, int] = {}
        self.stacks: dict[tuple[int, ...], int] = {}

    def hello(self) -> tuple[str, Frame]:
        return "pyspy", {"k": "hello", "ts": self.t0, "seq": 0, "schema": 1, "probe": "pyspy",
                         "version": "0.1.0", "pid": CFG.pid, "rate": 100, "python": "3.11",
                         "caps": {"stacks": {"ok": True, "why": ""}},
                         }

    def chunk(self, i: int, rows: list[tuple[str, int, int]]) -> tuple[str, Frame]:
        """Chunk ``i`` covers [t0 + 2i, t0 + 2i + 2]; rows: ("a;b", tid, count)."""
        strs: dict[int, str] = {}
        stacks: dict[int, list[int]] = {}
        samples = []
        for text, tid, count in rows:
            ids = []
            for label in text.split(";"):
                if label not in self.strs:
                    self.strs[label] = len(self.strs)
                    strs[self.strs[label]] = label
                ids.append(self.strs[label])
            if tuple(ids) not in self.stacks:
                self.stacks[tuple(ids)] = len(self.stacks)
                stacks[self.stacks[tuple(ids)]] = ids
            samples.append([self.stacks[tuple(ids)], tid, count])
        t0 = self.t0 + 2 * i
        self.seq += 1
        return "pyspy", {"k": "chunk", "ts": t0 + 2, "seq": self.seq, "t0": t0, "t1": t0 + 2,
                         "rate": 100, "asked": 200, "got": 190, "errors": 1, "late": 0,
                         "samples": samples, "strs": strs, "stacks": stacks,
                         "threads": {str(MAIN): "MainThread", str(WORKER): "hot-worker"}}


def profile(chunks: int = 3) -> list[tuple[str, Frame]]:
    """75% hot_a, 25% hot_b on the worker; the main thread sleeps in ``main``."""
    py = PyFrames()
    out = [*frames(CFG), py.hello()]
    for i in range(chunks):
        out.append(py.chunk(i, [(A, WORKER, 150), (B, WORKER, 50)]))
    return out


def text(app: PerftuiApp) -> str:
    return "\n".join(screen_lines(app))


def table_rows(app: PerftuiApp) -> list[str]:
    return app.screen.query_one(TopFunctions).rows_text


async def opened(app: PerftuiApp, pilot: Any) -> HotScreen:
    await pilot.pause()
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(app.screen, HotScreen)
    return app.screen
