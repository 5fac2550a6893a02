"""The probe protocol: a stream of msgpack maps, one per frame, on a probe's stdout.

Every frame is a map with at least:
  ``k``   kind (str): ``hello``, ``meta``, ``sample``, ``warn``, ``gone``, ...
  ``ts``  wall-clock time of collection (float seconds since the epoch)
  ``seq`` per-stream sequence number, from 0 (a gap means frames were lost)

The first frame of a stream is ``hello``: schema version, probe name and version, pid, host,
interval and ``caps`` (capability name -> {"ok": bool, "why": str}).  Probes put counters on
the wire, never rates: the model derives rates, so a lost frame costs resolution, not totals.

Strings repeated across frames (stack frames, syscall names, paths) may be interned: a frame
carries ``strs`` {id: string} for ids it defines; later frames use the ids.  Interning is per
stream.  The full field list of each kind lives in docs/frames.md.
"""

from __future__ import annotations

import ctypes
import os
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import msgpack

SCHEMA_VERSION = 1
MIN_INTERVAL = 0.1
MAX_INTERVAL = 60.0
BEAT_S = 1.0  # a probe whose main loop waits longer than this between frames says it lives

Frame = dict[str, Any]


class FrameWriter:
    """Packs frames onto a binary stream, numbering them; exits quietly when the reader left."""

    def __init__(self, out: BinaryIO, probe: str) -> None:
        self._out = out
        self._probe = probe
        self._seq = 0
        self._packer = msgpack.Packer(use_bin_type=True)
        self._last = time.monotonic()

    def write(self, kind: str, **fields: Any) -> None:
        frame: Frame = {"k": kind, "ts": fields.pop("ts", None) or time.time(), "seq": self._seq}
        frame.update(fields)
        self._seq += 1
        self._last = time.monotonic()
        try:
            self._out.write(self._packer.pack(frame))
            self._out.flush()
        except (BrokenPipeError, ValueError):
            # The app went away: nothing left to report to.
            os._exit(0)

    def beat(self) -> None:
        """A ``beat`` frame if nothing was written for BEAT_S: called from a probe's main loop
        while it waits (a py-spy chunk, a compile), so the app can tell a probe that makes
        progress from one that hangs (stopped, blocked in a read) and call the latter stale."""
        if time.monotonic() - self._last >= BEAT_S:
            self.write("beat")

    def hello(self, pid: int, version: str, interval: float, caps: dict[str, dict[str, Any]],
              **extra: Any) -> None:
        self.write("hello", schema=SCHEMA_VERSION, probe=self._probe, version=version, pid=pid,
                   host=os.uname().nodename, interval=interval, caps=caps, **extra)


class FrameDecoder:
    """Incremental decoder that also returns each frame's raw bytes (for recording unchanged)."""

    def __init__(self) -> None:
        self._unpacker = msgpack.Unpacker(raw=False, strict_map_key=False,
                                          max_buffer_size=64 * 1024 * 1024)
        self._buf = bytearray()
        self._base = 0  # stream offset of self._buf[0]

    def feed(self, data: bytes) -> list[tuple[bytes, Frame]]:
        self._unpacker.feed(data)
        self._buf += data
        out: list[tuple[bytes, Frame]] = []
        start = self._base
        for obj in self._unpacker:
            end = self._unpacker.tell()
            raw = bytes(self._buf[start - self._base:end - self._base])
            start = end
            if isinstance(obj, dict):
                out.append((raw, obj))
        del self._buf[:start - self._base]
        self._base = start
        return out

    @property
    def pending(self) -> int:
        """Bytes received that do not yet form a whole frame."""
        return len(self._buf)


def iter_frames(stream: BinaryIO, chunk: int = 65536) -> Iterator[tuple[bytes, Frame]]:
    decoder = FrameDecoder()
    while True:
        data = stream.read1(chunk) if hasattr(stream, "read1") else stream.read(chunk)
        if not data:
            return
        yield from decoder.feed(data)


_PR_SET_PDEATHSIG = 1


def die_with_parent(on_command: Callable[[str], None] | None = None) -> None:
    """Make this probe exit when the app that started it dies, however it dies.

    PR_SET_PDEATHSIG covers SIGKILL of the parent; a watcher on the stdin pipe covers a parent
    that closes it (and platforms without prctl).  Both end the process through SIGTERM so
    probes can unload what they loaded.  The same pipe carries commands from the app, one per
    line (``interval 0.5``); each is handed to ``on_command``.  Probes with a sampling loop
    use ``perftui.probes.control.Control.listen_stdin`` instead, which takes the pipe off fd 0
    first.
    """
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)

    def watch_stdin() -> None:
        # os.read on fd 0, not sys.stdin: a daemon thread blocked inside sys.stdin holds its
        # lock, and interpreter shutdown then aborts.
        pending = b""
        while True:
            try:
                data = os.read(0, 4096)
            except OSError:
                data = b""
            if not data:
                break
            *lines, pending = (pending + data).split(b"\n")
            for line in lines:
                if on_command is not None and line.strip():
                    on_command(line.decode("utf-8", "replace").strip())
        os.kill(os.getpid(), signal.SIGTERM)

    if stat.S_ISFIFO(os.fstat(0).st_mode):  # only a pipe from the app, not a tty or /dev/null
        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()


def parse_interval_command(line: str) -> float | None:
    """``interval S`` -> S when within the range the app allows, else None."""
    parts = line.split()
    if len(parts) == 2 and parts[0] == "interval":
        try:
            value = float(parts[1])
        except ValueError:
            return None
        if MIN_INTERVAL <= value <= MAX_INTERVAL:
            return value
    return None


def cap(ok: bool, why: str = "") -> dict[str, Any]:
    """One entry of a hello frame's ``caps``: whether a thing can be collected, and why not."""
    return {"ok": ok, "why": why} if why else {"ok": ok}
