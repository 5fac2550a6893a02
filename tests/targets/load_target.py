"""A target sized for measuring collection cost: ``load_target.py CTLPAGE THREADS FDS``.

Starts THREADS-1 idle threads (so THREADS in all) and holds FDS open descriptors in all:
loopback TCP connections (a listener, 5 clients and their 5 server sides), a UDP socket, a unix
socket pair, and regular files for the rest.  Prints "ready" and serves the control page
(op 0: exit).
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading

from ctlpage import Page, guard


def main() -> None:
    guard()
    page = Page(sys.argv[1])
    threads, fds = int(sys.argv[2]), int(sys.argv[3])
    stop = threading.Event()
    for i in range(threads - 1):
        threading.Thread(target=stop.wait, name=f"idle-{i}", daemon=True).start()
    keep: list[object] = []
    listener = socket.create_server(("127.0.0.1", 0))
    keep.append(listener)
    for _ in range(5):
        keep.append(socket.create_connection(listener.getsockname()))
        keep.append(listener.accept()[0])
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    keep += [udp, *socket.socketpair()]
    folder = tempfile.mkdtemp(prefix="perftui-load-")
    i = 0
    while len(os.listdir("/proc/self/fd")) - 1 < fds:  # the listing holds one fd itself
        keep.append(os.open(os.path.join(folder, f"f{i}"), os.O_RDWR | os.O_CREAT, 0o600))
        i += 1
    print("ready", flush=True)
    page.serve({})


if __name__ == "__main__":
    main()
