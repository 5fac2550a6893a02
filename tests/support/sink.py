"""A TCP server in the test process that accepts connections and drains them (the remote end
for network targets)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _drain(conn: socket.socket) -> None:
    with conn:
        while conn.recv(65536):
            pass


def _serve(listener: socket.socket) -> None:
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:  # closed: the test is over
            return
        threading.Thread(target=_drain, args=(conn,), daemon=True).start()


@contextmanager
def sinks(n: int) -> Iterator[list[int]]:
    """``n`` listening ports on 127.0.0.1 whose connections are read to their end."""
    listeners = []
    try:
        for _ in range(n):
            s = socket.create_server(("127.0.0.1", 0), backlog=256)
            listeners.append(s)
            threading.Thread(target=_serve, args=(s,), daemon=True).start()
        yield [s.getsockname()[1] for s in listeners]
    finally:
        for s in listeners:
            s.close()
