"""TCP server target whose one connection is accepted before any probe attaches:
``tcp_accept.py RECV SEND``.

Listens on 127.0.0.1 (prints ``listening PORT``), accepts one connection (prints ``ready``),
blocks in sigwait(SIGUSR1), then receives exactly RECV bytes on the accepted socket, sends
SEND bytes back and keeps the connection open (no state change) for SYSCALL_TARGET_LINGER
seconds (default 5) before exiting with os._exit.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time

from ctlpage import guard


def main() -> None:
    guard()
    want, send = int(sys.argv[1]), int(sys.argv[2])
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print("listening", listener.getsockname()[1], flush=True)
    conn, _ = listener.accept()
    print("ready", flush=True)
    signal.sigwait({signal.SIGUSR1})
    got = 0
    while got < want:
        data = conn.recv(min(65536, want - got))
        if not data:
            raise SystemExit("peer closed early")
        got += len(data)
    conn.sendall(b"y" * send)
    time.sleep(float(os.environ.get("SYSCALL_TARGET_LINGER", "5")))
    os._exit(0)


if __name__ == "__main__":
    main()
