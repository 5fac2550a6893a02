"""(5) The one owner of a Model: frames and resets in through a bounded queue, views out.

Sources call ``sink`` (frames) and ``reset`` (a replay's seek hands over a model rebuilt up to
the new position) from their own threads; both only enqueue.  The feed's thread applies them
in order and publishes a frozen Snapshot at most every ``min_gap_s`` (a burst of frames makes
one snapshot).  No lock is shared with the UI: the UI receives snapshots, and what else it
needs from the model it asks through ``read``, which runs on the feed's thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import Any, TypeVar

from perftui.findings import Findings
from perftui.frames import Frame
from perftui.model import Model, SchemaError
from perftui.views.findings import FindingsView
from perftui.views.focus import focus_snapshot
from perftui.views.snapshot import Snapshot, build_snapshot

T = TypeVar("T")
MIN_GAP_S = 0.05  # at most 20 snapshots a second, however fast frames come
QUEUE_ITEMS = 256  # a source faster than the feed (a replay at max speed) waits here
_STOP = object()


class Feed:
    def __init__(self, publish: Callable[[Snapshot], None] | None = None, *,
                 model: Model | None = None, min_gap_s: float = MIN_GAP_S,
                 coalesce_s: float = 0.0) -> None:
        self._publish = publish
        self._coalesce = coalesce_s  # wait this long after a first frame for the rest
        self._model = model if model is not None else Model()
        self._min_gap = min_gap_s
        self._q: queue.Queue[Any] = queue.Queue(QUEUE_ITEMS)
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._pending = 0  # items enqueued and not yet applied
        self.paused = False  # while set, nothing is published (frames are still applied)
        self.error = ""  # the last frame that could not be applied, or view that failed
        self.latest: Snapshot | None = None
        self.focus: int | None = None  # the process of the tree the panes show (None: all)
        self._findings = Findings()  # what held, across samples (the feed's thread only)
        self._found = FindingsView()  # as of the last sample
        self._exit_judged = False  # judged since the target's exit (its findings ended)

    # -- in (any thread) ------------------------------------------------------------------
    def sink(self, stream: str, raw: bytes, frame: Frame) -> None:
        self._put(("frame", stream, frame))

    def reset(self, model: Model) -> None:
        """Replace the model (a replay's seek); the next snapshot shows it."""
        self._put(("reset", model))

    def publish_now(self) -> None:
        """A snapshot as soon as possible (after a resume, a theme change...)."""
        self._put(("publish",))

    def read(self, fn: Callable[[Model], T], timeout: float = 10.0) -> T:
        """``fn(model)`` run on the feed's thread after every frame enqueued before it (a
        caller sees what it sent); its result.  The queue is short, so a read waits for a
        few hundred frames at most, even behind a replay at max speed."""
        if self._thread is None or threading.current_thread() is self._thread:
            return fn(self._model)
        done: Future[T] = Future()
        self._put(("read", fn, done))
        return done.result(timeout)

    def _put(self, item: tuple[Any, ...]) -> None:
        with self._idle:
            self._pending += 1
        if self._thread is None:  # not started (tests, reports): apply at once
            self._handle(item)
            self._done(1)
            return
        self._q.put(item)

    # -- running ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="perftui-feed", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        thread = self._thread
        if thread is not None:
            self._q.put(_STOP)
            thread.join(5.0)
            self._thread = None  # from now on reads and items run on the caller's thread

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until every item enqueued so far is applied (tests, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _done(self, n: int) -> None:
        with self._idle:
            self._pending -= n
            if self._pending == 0:
                self._idle.notify_all()

    def _run(self) -> None:
        dirty_since: float | None = None  # when the first change not yet published came
        last = -1e9
        while True:
            due = None if dirty_since is None else max(last + self._min_gap,
                                                       dirty_since + self._coalesce)
            # Paused: nothing is due until a resume asks (publish_now wakes the queue).
            wait = None if due is None or self.paused else max(0.0, due - time.monotonic())
            try:
                item = self._q.get(timeout=wait)
            except queue.Empty:
                item = None
            if item is _STOP:
                return
            if item is not None:
                urgent = item[0] == "publish"
                if self._handle(item) and dirty_since is None:
                    dirty_since = -1e9 if urgent else time.monotonic()
                self._done(1)
            if dirty_since is None or self.paused:
                continue
            now = time.monotonic()
            if now >= last + self._min_gap and now >= dirty_since + self._coalesce:
                self._snapshot()
                last, dirty_since = now, None

    def _handle(self, item: tuple[Any, ...]) -> bool:
        """Apply one item; True when the model changed (a snapshot is due)."""
        kind = item[0]
        if kind == "frame":
            _, stream, frame = item
            try:
                self._model.apply(stream, frame)
            except SchemaError as exc:
                self.error = str(exc)
            except Exception as exc:  # a malformed frame must not take the view down
                self.error = f"bad {stream} {frame.get('k', '?')} frame: {exc!r}"
            if (stream == "procfs" and frame.get("k") == "sample") or (
                    self._model.exit is not None and not self._exit_judged):
                # Judged at each sample, not each refresh: what held depends on the frames
                # alone (a replay at max speed, a paused view and a live one agree).
                self._found = self._judge()
                self._exit_judged = self._model.exit is not None
            return True
        if kind == "reset":
            self._model = item[1]
            self._findings.reset()
            self._found = FindingsView()
            self._exit_judged = False
            return True
        if kind == "read":
            _, fn, done = item
            try:
                done.set_result(fn(self._model))
            except Exception as exc:
                done.set_exception(exc)
            return False
        if kind == "publish":
            if self._thread is None:
                self._snapshot()
                return False
            return True
        return False

    def _snapshot(self) -> None:
        try:
            snap = focus_snapshot(self._model, build_snapshot(self._model), self.focus)
            snap = replace(snap, findings=self._found)
        except Exception as exc:  # odd data: keep the last good view on screen
            self.error = f"cannot build the view: {exc!r}"
            return
        self.latest = snap
        if self._publish is not None:
            self._publish(snap)

    def _judge(self) -> FindingsView:
        """The findings now; none (and why, in ``error``) when judging them failed: the
        panes must not freeze for it."""
        try:
            found = self._findings.update(self._model)
        except Exception as exc:
            self.error = f"cannot judge findings: {exc!r}"
            return FindingsView()
        return FindingsView(tuple(found), tuple(sorted(self._findings.missing.items())))

    # -- for tests and reports that drive a feed by hand ----------------------------------
    @property
    def model(self) -> Model:
        """The model itself: only for a caller that owns the feed's thread (not started) or
        after ``wait_idle``; the UI uses ``read``."""
        return self._model
