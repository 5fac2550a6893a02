"""SessionRecorder: the frame sink that records a session; tee it from any Source.

``write(stream, raw, frame)`` may be called from any thread.  Frames are flushed as a chunk
once the oldest waiting frame is FLUSH_S old (checked on each write and by a timer thread), so
a recorder killed outright loses at most about a second.  A write error (disk full) stops the
recording and is kept in ``error``; it never raises into the caller's frame path.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime

from perftui import __version__
from perftui.frames import Frame
from perftui.probes.wire import SCHEMA_VERSION
from perftui.session.format import SUFFIX, SessionHeader
from perftui.session.writer import SessionWriter

FLUSH_S = 1.0



def default_name(host: str, pid: int, when: float | None = None) -> str:
    """``perftui-<host>-<pid>-<YYYYmmdd-HHMMSS>.perftui``."""
    stamp = datetime.fromtimestamp(time.time() if when is None else when)
    safe_host = "".join(c if c.isalnum() or c in "-_." else "_" for c in host) or "host"
    return f"perftui-{safe_host}-{pid}-{stamp:%Y%m%d-%H%M%S}{SUFFIX}"


def new_header(pid: int | None, *, label: str = "", command: list[str] | None = None,
               interval: float = 1.0, probes: list[str] | None = None,
               start: float | None = None) -> SessionHeader:
    return SessionHeader(pid=pid, host=os.uname().nodename, command=list(command or []),
                         label=label, start=time.time() if start is None else start,
                         interval=interval, probes={name: {} for name in probes or []},
                         perftui=__version__, schema=SCHEMA_VERSION)


class SessionRecorder:
    def __init__(self, path: str, header: SessionHeader, flush_s: float = FLUSH_S) -> None:
        self._writer = SessionWriter(path, header)
        self._lock = threading.Lock()
        self._flush_s = flush_s
        self._oldest = 0.0  # monotonic time the oldest unflushed frame arrived
        self._probes: dict[str, Frame] = {}
        self.error: str | None = None
        self._done = threading.Event()
        self._timer = threading.Thread(target=self._tick, name="session-flush", daemon=True)
        self._timer.start()

    @property
    def path(self) -> str:
        return self._writer.path

    @property
    def size(self) -> int:
        """Bytes written to the file so far."""
        return self._writer.size

    @property
    def frames(self) -> int:
        with self._lock:
            return self._writer.frames + self._writer.pending

    @property
    def closed(self) -> bool:
        return self._writer.closed

    def write(self, stream: str, raw: bytes, frame: Frame) -> None:
        ts = frame.get("ts")
        with self._lock:
            if self._writer.closed or self.error is not None:
                return
            if frame.get("k") == "hello":
                self._probes[stream] = {k: frame.get(k) for k in ("version", "interval", "caps")}
            now = time.monotonic()
            if not self._writer.pending:
                self._oldest = now
            try:
                self._writer.add(stream, raw, float(ts) if isinstance(ts, (int, float)) else None)
                if now - self._oldest >= self._flush_s:
                    self._writer.flush()
            except OSError as exc:
                self.error = f"recording stopped: {exc.strerror or exc}"

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if self._writer.closed or self.error is not None:
            return
        try:
            self._writer.flush()
        except OSError as exc:
            self.error = f"recording stopped: {exc.strerror or exc}"

    def _tick(self) -> None:
        while not self._done.wait(self._flush_s / 4):
            with self._lock:
                if self._writer.pending and time.monotonic() - self._oldest >= self._flush_s:
                    self._flush_locked()

    def close(self) -> None:
        """Flush and write the index; safe to call twice."""
        self._done.set()
        with self._lock:
            if self._writer.closed:
                return
            try:
                self._writer.close({"probes": self._probes})
            except OSError as exc:
                self.error = self.error or f"recording stopped: {exc.strerror or exc}"
        if threading.current_thread() is not self._timer:
            self._timer.join(timeout=2)
