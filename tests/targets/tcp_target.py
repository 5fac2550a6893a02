"""Target with loopback TCP connections that move exact byte counts: ``tcp_target.py CTLPAGE``.

Sets up, in one process: a listener, a client and the accepted server side on 127.0.0.1
(and the same on [::1] when IPv6 works), one TCP socket neither bound nor connected, one
UDP socket, a unix socket pair and a netlink socket.  Prints "ready PORTS" where PORTS is
JSON {"v4": [listen, client], "v6": [...] or null}, then serves commands on the control page:
  op 1 (n, v6): the client sends n bytes to the server side; op 2: the server side sends n
  bytes to the client.  Both return the number of bytes received.
"""

from __future__ import annotations

import json
import socket
import sys
import threading

from ctlpage import Page, guard


def pair(family: int, host: str) -> tuple[socket.socket, socket.socket, socket.socket]:
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname()[:2])
    server, _ = listener.accept()
    return listener, client, server


def transfer(src: socket.socket, dst: socket.socket, n: int) -> int:
    got = 0

    def receive() -> None:
        nonlocal got
        while got < n:
            data = dst.recv(min(65536, n - got))
            if not data:
                return
            got += len(data)

    reader = threading.Thread(target=receive)
    reader.start()
    src.sendall(b"t" * n)
    reader.join()
    return got


def main() -> None:
    guard()
    page = Page(sys.argv[1])
    conns = {0: pair(socket.AF_INET, "127.0.0.1")}
    try:
        conns[1] = pair(socket.AF_INET6, "::1")
    except OSError:
        pass
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix_pair = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    netlink = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # NETLINK_ROUTE
    unbound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # in no kernel table
    _keep = (udp, unix_pair, netlink, unbound)  # open for the whole run
    ports: dict[str, list[int] | None] = {}
    for i, name in ((0, "v4"), (1, "v6")):
        c = conns.get(i)
        ports[name] = [c[0].getsockname()[1], c[1].getsockname()[1]] if c else None
    print("ready " + json.dumps(ports), flush=True)

    def client_to_server(n: int, v6: int) -> int:
        _, client, server = conns[v6]
        return transfer(client, server, n)

    def server_to_client(n: int, v6: int) -> int:
        _, client, server = conns[v6]
        return transfer(server, client, n)

    page.serve({1: client_to_server, 2: server_to_client})


if __name__ == "__main__":
    main()
