"""The tee: records the raw frames passing from a source to its sink, started any time.

``sink`` is a FrameSink: it remembers what the frames said once (the prologue, so a recording
started mid-session replays on its own), writes the frame when a recording is on, and hands
it on downstream (the feed).  ``start``/``stop`` take the tee's own lock, as ``sink`` does, so
no frame falls between the prologue and the first frame recorded after it; closing the file
(flush, index) happens outside it: ``stop`` hands the recorder back to be closed.
"""

from __future__ import annotations

import os
import threading

import psutil

from perftui.frames import Frame, FrameSink
from perftui.model.model import Model
from perftui.session.format import SessionHeader
from perftui.session.prologue import Prologue
from perftui.session.recorder import SessionRecorder, default_name, new_header


class Tee:
    def __init__(self, downstream: FrameSink | None = None) -> None:
        self.prologue = Prologue()
        self.recorder: SessionRecorder | None = None
        self.downstream = downstream
        self._lock = threading.Lock()  # the tee's own: never held while the UI draws

    @property
    def active(self) -> bool:
        return self.recorder is not None

    def sink(self, stream: str, raw: bytes, frame: Frame) -> None:
        with self._lock:
            self.prologue.see(stream, frame)
            if self.recorder is not None:
                self.recorder.write(stream, raw, frame)
        if self.downstream is not None:
            self.downstream(stream, raw, frame)

    def start(self, recorder: SessionRecorder) -> None:
        """Record from now on: first what the frames so far said once, then every frame."""
        with self._lock:
            for item in self.prologue.frames():
                recorder.write(*item)
            self.recorder = recorder

    def stop(self) -> SessionRecorder | None:
        """Stop feeding the recorder; the caller closes it (outside the tee's lock)."""
        with self._lock:
            recorder, self.recorder = self.recorder, None
        return recorder

    def failed(self) -> SessionRecorder | None:
        """The recorder, stopped, when it hit a write error (disk full); else None."""
        with self._lock:
            bad = self.recorder is not None and bool(self.recorder.error)
        return self.stop() if bad else None


def target_header(pid: int, label: str, interval: float, probes: list[str]) -> SessionHeader:
    """The header of a recording that starts with the target's first frame (``record``,
    ``--record``): the command line read from /proc now."""
    try:
        command = psutil.Process(pid).cmdline()
    except psutil.Error:
        command = []
    return new_header(pid, label=label, command=command, interval=interval, probes=probes)


def header_from(model: Model, label: str, interval: float) -> SessionHeader:
    """A session header for the target the model describes (the recording starts now)."""
    cmdline = model.process.meta.get("cmdline")
    command = [str(a) for a in cmdline] if isinstance(cmdline, list) else []
    return new_header(model.pid, label=label, command=command, interval=interval,
                      probes=sorted(model.probes))


def default_path(pid: int | None) -> str:
    """``perftui-<host>-<pid>-<YYYYmmdd-HHMMSS>.perftui`` in the current directory."""
    return default_name(os.uname().nodename, pid or 0)
