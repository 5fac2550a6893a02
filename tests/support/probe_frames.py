"""A probe process under test and the frames it has written so far, read as they come."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any, BinaryIO, cast

from perftui.probes.wire import iter_frames

Frame = dict[str, Any]


class ProbeFrames:
    """Reads ``proc``'s stdout on a thread; ``wait_for`` blocks until a frame matches."""

    WAIT_S = 20.0

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.frames: list[Frame] = []
        self._cond = threading.Condition()
        self._done = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for _raw, frame in iter_frames(cast(BinaryIO, self.proc.stdout)):
            with self._cond:
                self.frames.append(frame)
                self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    def failure_detail(self) -> str:
        """Extra words for a frame that never came (e.g. the probe's stderr)."""
        return ""

    def wait_for(self, pred: Callable[[Frame], bool], timeout: float | None = None) -> Frame:
        deadline = time.monotonic() + (self.WAIT_S if timeout is None else timeout)
        with self._cond:
            while True:
                for frame in self.frames:
                    if pred(frame):
                        return frame
                left = deadline - time.monotonic()
                if left <= 0 or self._done:
                    kinds = [f["k"] for f in self.frames]
                    detail = self.failure_detail() if self._done else ""
                    raise AssertionError(f"frame not seen (done={self._done}); got {kinds} "
                                         f"{detail}")
                self._cond.wait(left)
