"""Recording from the live view: a SessionRecorder fed by the app's sink, started any time.

The app calls ``see`` with every frame, and ``start``/``stop``, under the lock its sink takes,
so no frame falls between the prologue (perftui.session.prologue) and the first frame recorded
after it.  Closing the file (flush, index) happens outside that lock: ``stop`` hands the
recorder back to be closed.
"""

from __future__ import annotations

import os

from perftui.model.model import Model
from perftui.session.format import SessionHeader
from perftui.session.prologue import Prologue
from perftui.session.recorder import SessionRecorder, default_name, new_header
from perftui.sources.base import Frame


class LiveRecording:
    def __init__(self) -> None:
        self.prologue = Prologue()
        self.recorder: SessionRecorder | None = None

    @property
    def active(self) -> bool:
        return self.recorder is not None

    def see(self, stream: str, raw: bytes, frame: Frame) -> None:
        self.prologue.see(stream, frame)
        if self.recorder is not None:
            self.recorder.write(stream, raw, frame)

    def start(self, recorder: SessionRecorder) -> None:
        """Record from now on: first what the frames so far said once, then every frame."""
        for item in self.prologue.frames():
            recorder.write(*item)
        self.recorder = recorder

    def stop(self) -> SessionRecorder | None:
        """Stop feeding the recorder; the caller closes it (outside the app's lock)."""
        recorder, self.recorder = self.recorder, None
        return recorder

    def failed(self) -> SessionRecorder | None:
        """The recorder, stopped, when it hit a write error (disk full); else None."""
        if self.recorder is not None and self.recorder.error:
            return self.stop()
        return None


def header_from(model: Model, label: str, interval: float) -> SessionHeader:
    """A session header for the target the model describes (the recording starts now)."""
    cmdline = model.process.meta.get("cmdline")
    command = [str(a) for a in cmdline] if isinstance(cmdline, list) else []
    return new_header(model.pid, label=label, command=command, interval=interval,
                      probes=sorted(model.probes))


def default_path(pid: int | None) -> str:
    """``perftui-<host>-<pid>-<YYYYmmdd-HHMMSS>.perftui`` in the current directory."""
    return default_name(os.uname().nodename, pid or 0)
