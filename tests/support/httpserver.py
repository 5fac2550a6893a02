"""``python3 -m http.server`` recorded by ``perftui record``, for tests that load it."""

from __future__ import annotations

import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.cli import start_record


def serving(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def recorded_server(www: Path, session: Path) -> Iterator[int]:
    """Serve ``www`` under ``perftui record -o session`` (procfs and eBPF); yields the port
    once it answers, and stops the recording (Ctrl-C) on the way out."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rec = start_record("-o", str(session), "--probes", "procfs,ebpf", "--", sys.executable,
                       "-m", "http.server", str(port), "-b", "127.0.0.1", "-d", str(www))
    try:
        deadline = time.monotonic() + 60
        while not serving(port):
            assert time.monotonic() < deadline and rec.poll() is None, "no server"
            time.sleep(0.2)
        yield port
    finally:
        rec.send_signal(signal.SIGINT)
        rec.communicate(timeout=30)
