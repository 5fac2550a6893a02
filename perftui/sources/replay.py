"""ReplaySource: a session file played back through the same sink as a live source.

Contract with the app
  * ``start(sink)``: the player thread calls ``sink(stream, raw, frame)`` with the recorded
    frames, in recorded order, exactly as LiveSource would have; ``live`` is False.
  * Moving back (step back, seek back, home) cannot be done by sending frames.  The source then
    builds, on its own thread, a new Model holding exactly the frames up to the new position
    (from a checkpoint: perftui.session.checkpoints) and calls ``on_reset(model)`` before any
    frame after that position.  The app replaces its model with that one, under the lock its
    sink takes, and redraws.  Long jumps forward use the same path (cheaper than sending an
    hour of frames).  Without ``on_reset`` set, moves back are ignored (see ``warnings``).
  * Controls (play, pause, step, seek, speed) may be called from any thread and return at
    once; the player thread carries them out in order.  ``position`` is a frozen
    ReplayPosition for the header and the timeline bar (offsets in seconds from the start).
  * A step is one procfs sample: forward delivers frames up to and including the next one;
    back returns to just after the previous one.
  * At 1x, 2x and 10x frames are due at their recorded spacing divided by the speed, except
    that gaps in the recording (no frames for over twice the interval) are skipped; at max
    speed frames go as fast as the sink takes them.  Playback pauses at the end.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable

from perftui.frames import FrameSink
from perftui.model.model import Model
from perftui.safetext import clean
from perftui.session.checkpoints import SPACING_S, Checkpoints
from perftui.session.format import SessionError
from perftui.session.player import Player, PlayState
from perftui.session.reader import SessionReader
from perftui.sources.base import ReplayPosition

MAX = math.inf
SPEEDS = (1.0, 2.0, 10.0, MAX)


class ReplaySource:
    def __init__(self, path: str, *, speed: float = 1.0, playing: bool = True,
                 model_factory: Callable[[], Model] = Model,
                 spacing_s: float = SPACING_S) -> None:
        self.path = path
        self._reader = SessionReader(path)
        try:
            index = self._reader.index()
            if index.frames == 0:
                raise SessionError(f"{path} holds no frames")
        except BaseException:
            self._reader.close()
            raise
        self._index = index
        header = self._reader.header
        self._interval = header.interval
        self._label = header.label or f"pid {header.pid}"
        self._start_ts = index.start_ts or header.start
        self._length = (index.end_ts or self._start_ts) - self._start_ts
        self._gaps = tuple((a - self._start_ts, b - self._start_ts)
                           for a, b in index.gaps(self._interval))
        self._cps = Checkpoints(path, index, model_factory, spacing_s)
        self._st = PlayState(playing=playing, speed=speed)
        self.on_reset: Callable[[Model], None] | None = None
        self._threads: list[threading.Thread] = []

    # -- the Source protocol ----------------------------------------------------------------

    @property
    def description(self) -> str:
        return f"replay of {clean(os.path.basename(self.path))}: {self._label}"

    @property
    def interval(self) -> float:
        return self._interval

    @property
    def live(self) -> bool:
        return False

    def start(self, sink: FrameSink) -> None:
        player = Player(self._st, self._reader, self._index, self._cps, sink,
                        lambda: self.on_reset, self._interval)
        for name, target in (("replay", player.run),
                             ("replay-checkpoints", lambda: self._cps.build(self._st.stop))):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._st.stop.set()
        self._control(lambda: None)
        for thread in self._threads:
            thread.join(timeout=5)
        self._reader.close()

    # -- controls (any thread) --------------------------------------------------------------

    def _control(self, change: Callable[[], None]) -> None:
        st = self._st
        with st.cond:
            change()
            st.version += 1
            st.anchor = None
            st.cond.notify_all()

    def _push(self, cmd: str, arg: float = 0.0) -> None:
        self._control(lambda: self._st.cmds.append((cmd, arg)))

    def play(self) -> None:
        def go() -> None:
            if self._st.pos >= self._index.frames:
                self._st.cmds.append(("frame", 0))  # play at the end starts again
            self._st.playing = True
        self._control(go)

    def pause(self) -> None:
        self._control(lambda: setattr(self._st, "playing", False))

    def toggle(self) -> None:
        if self._st.playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, speed: float) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0, not {speed}")
        self._control(lambda: setattr(self._st, "speed", speed))

    def faster(self) -> None:
        self.set_speed(next((s for s in SPEEDS if s > self._st.speed), SPEEDS[-1]))

    def slower(self) -> None:
        self.set_speed(next((s for s in reversed(SPEEDS) if s < self._st.speed), SPEEDS[0]))

    def step(self, direction: int = 1) -> None:
        """One sample forward (+1) or back (-1); pauses playback."""
        def go() -> None:
            self._st.playing = False
            self._st.cmds.append(("step", 1 if direction > 0 else -1))
        self._control(go)

    def seek(self, ts: float) -> None:
        """To the state after every frame at or before timestamp ``ts``."""
        self._push("ts", ts)

    def seek_offset(self, seconds: float) -> None:
        self.seek(self._start_ts + seconds)

    def jump(self, seconds: float) -> None:
        """Relative to the current position (shift+arrows: +-10 s)."""
        self._push("jump", seconds)

    def home(self) -> None:
        self.seek(self._start_ts)

    def end(self) -> None:
        self._push("frame", self._index.frames)

    @property
    def position(self) -> ReplayPosition:
        st = self._st
        with st.cond:
            ts = st.pos_ts
            return ReplayPosition(
                offset_s=0.0 if ts is None else max(0.0, ts - self._start_ts),
                length_s=self._length, start_ts=self._start_ts, ts=ts, frame=st.pos,
                frames=self._index.frames, playing=st.playing, speed=st.speed,
                at_end=st.pos >= self._index.frames, gaps=self._gaps)

    @property
    def resets(self) -> int:
        return self._st.resets

    @property
    def warnings(self) -> list[str]:
        """Problems with the file (cut short, damaged) and moves that could not be made."""
        with self._st.cond:
            return [clean(w) for w in (*self._reader.warnings, *self._st.notes)]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until no command is pending and playback is paused or at its end (for tests)."""
        st = self._st
        with st.cond:
            return st.cond.wait_for(lambda: not st.cmds and not st.busy and (
                not st.playing or st.pos >= self._index.frames), timeout)
