"""A steady mix of known work, logged with the time of each step, for window tests.

``steady_mix.py DIR``: prints "ready", then until SIGTERM, every cycle: one 4096-byte write
to DIR/data.bin, one 1000-byte send over a loopback TCP connection to itself (and its
receive), about 2 ms of CPU in ``spin``, and a 3 ms sleep.  On SIGTERM it writes the wall
time of every cycle's write to DIR/times.json and exits 0.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time

WRITE = 4096
SEND = 1000


def spin(seconds: float) -> int:
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


def main() -> None:
    directory = sys.argv[1]
    stop = False

    def on_term(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    fd = os.open(os.path.join(directory, "data.bin"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    block, payload = b"w" * WRITE, b"s" * SEND
    times: list[float] = []
    print("ready", flush=True)
    while not stop:
        os.write(fd, block)
        times.append(time.time())
        client.sendall(payload)
        got = 0
        while got < SEND:
            got += len(server.recv(SEND - got))
        spin(0.002)
        time.sleep(0.003)
    with open(os.path.join(directory, "times.json"), "w") as out:
        json.dump(times, out)


if __name__ == "__main__":
    main()
