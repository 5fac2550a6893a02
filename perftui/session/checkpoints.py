"""Model checkpoints along a session, so a replay can seek anywhere in bounded time.

``build`` (a background thread) replays the whole session once into its own model and, every
``spacing_s`` seconds of recording, keeps a checkpoint: the model without its series' points
plus the point counts (perftui.model.checkpoint), the points going once into a shared
SeriesLog.  ``model_at(n)`` restores the latest checkpoint at or before frame ``n`` and applies
the frames from there: the result equals a replay from the start, and its cost is bounded by
the spacing, whatever the recording's length.  Before the build has got that far, it starts
from the latest checkpoint there is (slower, still exact).

Memory: ~16 bytes per series point (about 1 MB per hour at 1 s) plus the checkpoints, a few
KB each for the procfs model.  Checkpoints of a heavier model (stack samples) are kept within
BUDGET_BYTES by dropping every other one, which doubles the spacing (and the seek time).
"""

from __future__ import annotations

import io
import pickle
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from perftui.model.checkpoint import SeriesLog, checkpoint, frozen_parts, restore
from perftui.model.model import Model
from perftui.session.cursor import Cursor
from perftui.session.index import ChunkIndex
from perftui.session.reader import SessionReader

SPACING_S = 120.0
YIELD_EVERY = 64  # frames the builder applies between two hand-overs of the GIL
BUDGET_BYTES = 64 << 20  # of pickled checkpoints: a proxy for the memory they hold


@dataclass
class Saved:
    ordinal: int  # frames applied
    model: Model
    marks: dict[str, int] = field(default_factory=dict)
    size: int = 0  # pickled bytes


def apply_quietly(model: Model, stream: str, frame: dict[str, Any] | None) -> None:
    """Apply as the app's sink does: a malformed frame is dropped, not fatal."""
    if frame is None:
        return
    try:
        model.apply(stream, frame)
    except Exception:  # the app reports these from its own sink; a seek must go on
        pass


class Checkpoints:
    def __init__(self, path: str, index: ChunkIndex, factory: Callable[[], Model],
                 spacing_s: float = SPACING_S, budget: int = BUDGET_BYTES) -> None:
        self._path = path
        self._index = index
        self.spacing_s = spacing_s
        self.budget = budget
        self._saved: list[Saved] = [Saved(0, factory())]
        self._factory = factory
        self._log = SeriesLog()
        self._lock = threading.Lock()
        self._counted: set[int] = set()  # shared parts already in the size
        self.built_to = 0  # frames the build has gone through

    def __len__(self) -> int:
        return len(self._saved)

    def _reader(self) -> SessionReader:
        reader = SessionReader(self._path)
        reader.use_index(self._index)
        return reader

    def _apply(self, model: Model, start: int, until: int,
               each: Callable[[int, float | None], None] | None = None) -> None:
        with self._reader() as reader:
            cursor = Cursor(reader, self._index, start)
            while cursor.ordinal < until:
                item = cursor.next()
                if item is None:
                    break
                n, stream, _raw, frame = item
                if each is not None:
                    ts = frame.get("ts") if frame is not None else None
                    each(n, float(ts) if isinstance(ts, (int, float)) else None)
                apply_quietly(model, stream, frame)

    def model_at(self, ordinal: int) -> Model:
        """A fresh model holding exactly the first ``ordinal`` frames."""
        with self._lock:
            saved = [s for s in self._saved if s.ordinal <= ordinal][-1]
            model = restore(saved.model, self._log, saved.marks)
        self._apply(model, saved.ordinal, ordinal)
        return model

    def build(self, stop: threading.Event) -> None:
        """Take checkpoints through the whole session (for a background thread)."""
        model = self._factory()
        due: list[float] = []

        def each(n: int, ts: float | None) -> None:
            if stop.is_set():
                raise _Stopped
            self.built_to = n
            if n % YIELD_EVERY == 0:
                # Background work: hand the GIL over now and then.  Held for whole switch
                # intervals, it starved the player thread (each of its lock waits and reads
                # gave the GIL away for up to 5 ms): a max-speed replay ran 7x slower.
                time.sleep(0)
            if ts is None:
                return
            if not due:
                due.append(ts + self.spacing_s)
            elif ts >= due[0]:
                due[0] = ts + self.spacing_s
                shared = frozen_parts(model)
                saved = checkpoint(model, shared)
                size = self._size(saved, shared)
                with self._lock:  # the state before frame n: n frames applied
                    self._saved.append(Saved(n, saved, self._log.sync(model), size))
                    self._thin()

        try:
            self._apply(model, 0, self._index.frames, each)
        except _Stopped:
            return
        self.built_to = self._index.frames


    def _size(self, saved: Model, shared: dict[int, Any]) -> int:
        """Pickled bytes of what this checkpoint adds: its own state, and the shared frozen
        parts no earlier checkpoint holds."""
        out = io.BytesIO()
        pickler = _SharingPickler(out, shared)
        pickler.dump(saved)
        size = out.tell()
        for key, obj in shared.items():
            if key not in self._counted:
                self._counted.add(key)
                size += len(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))
        return size

    def _thin(self) -> None:
        """Within budget: drop every other checkpoint (the first stays) and double the
        spacing of the ones to come."""
        while len(self._saved) > 2 and sum(s.size for s in self._saved) > self.budget:
            self._saved = [self._saved[0], *self._saved[2::2]]
            self.spacing_s *= 2

    @property
    def size(self) -> int:
        with self._lock:
            return sum(s.size for s in self._saved)


class _SharingPickler(pickle.Pickler):
    def __init__(self, out: io.BytesIO, shared: dict[int, Any]) -> None:
        super().__init__(out, pickle.HIGHEST_PROTOCOL)
        self._shared = shared

    def persistent_id(self, obj: Any) -> int | None:  # shared parts: referred to, not copied
        return id(obj) if id(obj) in self._shared else None


class _Stopped(Exception):
    pass
