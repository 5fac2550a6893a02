"""The replay's player thread: commands and the playback clock (ReplaySource's engine).

All state shared with the controlling threads is in PlayState, guarded by its condition.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from perftui.frames import FrameSink
from perftui.model.model import Model
from perftui.session.checkpoints import Checkpoints
from perftui.session.cursor import Cursor, Item
from perftui.session.index import ChunkIndex
from perftui.session.reader import SessionReader

PRIMARY = "procfs"  # the stream whose samples are the steps
FORWARD_FRAMES = 2000  # a jump forward shorter than this sends frames; longer ones rebuild


@dataclass
class PlayState:
    playing: bool
    speed: float
    cond: threading.Condition = field(default_factory=threading.Condition)
    cmds: deque[tuple[str, float]] = field(default_factory=deque)
    version: int = 0  # bumped by every control: wakes a player waiting for a frame
    pos: int = 0  # frames delivered
    pos_ts: float | None = None  # newest timestamp delivered
    anchor: tuple[float, float] | None = None  # (monotonic, ts) meaning the same moment
    busy: bool = False  # carrying out a command
    stop: threading.Event = field(default_factory=threading.Event)
    notes: list[str] = field(default_factory=list)
    resets: int = 0


def _ts(item: Item | None) -> float | None:
    if item is None or item[3] is None:
        return None
    ts = item[3].get("ts")
    return float(ts) if isinstance(ts, (int, float)) else None


def _is_step(item: Item) -> bool:
    return item[1] == PRIMARY and item[3] is not None and item[3].get("k") == "sample"


class Player:
    def __init__(self, st: PlayState, reader: SessionReader, index: ChunkIndex,
                 cps: Checkpoints, sink: FrameSink, on_reset: Callable[[], object],
                 interval: float) -> None:
        self.st = st
        self.reader = reader
        self.index = index
        self.cps = cps
        self.sink = sink
        self.on_reset = on_reset  # returns the app's callback, or None (read when needed)
        self.gap_s = 2 * interval
        self.cursor = Cursor(reader, index, 0)

    def run(self) -> None:
        st = self.st
        while True:
            with st.cond:
                st.busy = False
                st.cond.notify_all()
                st.cond.wait_for(lambda: st.stop.is_set() or bool(st.cmds) or (
                    st.playing and st.pos < self.index.frames))
                if st.stop.is_set():
                    return
                cmd = st.cmds.popleft() if st.cmds else None
                st.busy = cmd is not None
            if cmd is not None:
                self.command(*cmd)
            else:
                self.play_one()

    # -- playback ---------------------------------------------------------------------------

    def play_one(self) -> None:
        st = self.st
        item = self.cursor.peek()
        if item is None:
            with st.cond:
                st.playing = False
            return
        ts = _ts(item)
        with st.cond:
            version = st.version
            wait = 0.0
            if ts is not None and st.speed != float("inf"):
                now = time.monotonic()
                last = st.pos_ts
                if st.anchor is None or (last is not None and ts - last > self.gap_s):
                    # Start of play, a new speed, or a gap in the recording: due right away.
                    st.anchor = (now, ts)
                wait = st.anchor[0] + (ts - st.anchor[1]) / st.speed - now
            if wait > 0:
                st.cond.wait_for(lambda: st.version != version or st.stop.is_set(), wait)
                return  # due now, or something changed: look again
        self.deliver_one()

    def deliver_one(self) -> Item | None:
        item = self.cursor.next()
        if item is None:
            return None
        n, stream, raw, frame = item
        if frame is not None:
            self.sink(stream, raw, frame)
        ts = _ts(item)
        with self.st.cond:
            self.st.pos = n + 1
            if self.st.pos >= self.index.frames:
                self.st.playing = False  # playback pauses at the end
            if ts is not None:
                self.st.pos_ts = ts if self.st.pos_ts is None else max(self.st.pos_ts, ts)
        return item

    # -- commands -----------------------------------------------------------------------------

    def command(self, cmd: str, arg: float) -> None:
        if cmd == "step" and arg > 0:
            while (item := self.deliver_one()) is not None and not _is_step(item):
                pass
        elif cmd == "step":
            self.go(self.previous_step())
        elif cmd == "ts":
            self.go(self.ordinal_at(arg))
        elif cmd == "jump":
            base = self.st.pos_ts if self.st.pos_ts is not None else (self.index.start_ts or 0)
            self.go(self.ordinal_at(base + arg))
        elif cmd == "frame":
            self.go(int(arg))

    def ordinal_at(self, ts: float) -> int:
        """How many frames have timestamps at or before ``ts`` (up to the first after it)."""
        c = self.index.chunk_reaching(ts)
        if c >= len(self.index):
            return self.index.frames
        cursor = Cursor(self.reader, self.index, self.index.firsts[c])
        n = self.index.firsts[c]
        while (item := cursor.next()) is not None:
            t = _ts(item)
            if t is not None and t > ts:
                break
            n = item[0] + 1
        return n

    def previous_step(self) -> int:
        """The position just after the sample before the one last delivered (0 if none)."""
        pos = self.st.pos
        back = 1
        while True:
            c = max(0, self.index.chunk_of_ordinal(max(0, pos - 1)) - back)
            marks = []
            cursor = Cursor(self.reader, self.index, self.index.firsts[c])
            while (item := cursor.next()) is not None and item[0] < pos:
                if _is_step(item):
                    marks.append(item[0] + 1)
            if len(marks) >= 2 or c == 0:
                return marks[-2] if len(marks) >= 2 else 0
            back *= 4

    def go(self, target: int) -> None:
        st = self.st
        target = max(0, min(target, self.index.frames))
        forward = target - st.pos
        if forward == 0:
            return
        on_reset = self.on_reset()
        if forward > 0 and (forward <= FORWARD_FRAMES or on_reset is None):
            while st.pos < target and self.deliver_one() is not None:
                pass
            return
        if on_reset is None:
            note = "moving back in a replay needs on_reset: ignored"
            with st.cond:
                if note not in st.notes:
                    st.notes.append(note)
            return
        model: Model = self.cps.model_at(target)
        assert callable(on_reset)
        on_reset(model)
        self.cursor = Cursor(self.reader, self.index, target)
        with st.cond:
            st.pos = target
            st.pos_ts = model.now
            st.anchor = None
            st.resets += 1
