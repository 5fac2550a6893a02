"""Connections rolled up by peer: a server's clients under its port, a client's connections
under the remote endpoint; totals kept after the connections leave the live view."""

from __future__ import annotations

from typing import Any

import pytest

from perftui.model.peers import peer_of
from perftui.views.snapshot import build_snapshot
from tests.model.test_model_ebpf import T0, model_of, sys_frame


@pytest.mark.parametrize(("kind", "local", "remote", "listening", "peer"), [
    ("tcp", "127.0.0.1:8000", "127.0.0.1:51234", {8000}, ("clients of :8000", "server")),
    # no listener seen (accepted before the probe), an ephemeral remote port: a server's
    ("tcp", "10.0.0.9:443", "10.0.0.5:40000", set(), ("clients of :443", "server")),
    ("tcp", "10.0.0.9:40001", "10.0.0.5:5432", set(), ("10.0.0.5:5432", "client")),
    # both ports ephemeral: the remote one is the service
    ("tcp", "10.0.0.9:40001", "10.0.0.5:50000", set(), ("10.0.0.5:50000", "client")),
    ("tcp", "[::1]:40001", "[::1]:6379", set(), ("[::1]:6379", "client")),
    ("unix", "socket:[123]", "?", set(), ("unix sockets", "local")),
])
def test_peer_of(kind: str, local: str, remote: str, listening: set[int],
                 peer: tuple[str, str]) -> None:
    assert peer_of(kind, local, remote, listening) == peer


def conn(cid: int, local: str, remote: str, sent: int, recv: int,
         closed: float | None = None) -> list[Any]:
    return [cid, "tcp", local, remote, "CLOSE" if closed else "ESTABLISHED", sent, recv, 1, 1,
            None, closed]


def test_clients_roll_up_and_keep_their_totals_after_they_leave_the_view() -> None:
    server = "127.0.0.1:8000"
    frames = [sys_frame(1, conns=[conn(i, server, f"127.0.0.1:{50000 + i}", 1000 * i, 10,
                                       closed=T0 + 1) for i in range(1, 4)]
                        + [conn(9, "127.0.0.1:40000", "10.1.1.1:5432", 7, 70)])]
    frames += [sys_frame(t, conns=[conn(9, "127.0.0.1:40000", "10.1.1.1:5432", 7 * t, 70 * t)])
               for t in range(2, 15)]
    m = model_of(*frames)
    assert all(c.remote == "10.1.1.1:5432" for c in m.sys.conns.values())  # the rest aged out
    peers = {p.name: p for p in build_snapshot(m).net.peers}
    clients = peers["clients of :8000"]
    assert (clients.connections, clients.open, clients.sent_total, clients.recv_total) == \
        (3, 0, 6000, 30)
    db = peers["10.1.1.1:5432"]
    assert (db.connections, db.open, db.sent_total, db.role) == (1, 1, 98, "client")
    assert db.sent_per_s == pytest.approx(7.0)
    assert list(peers) == ["10.1.1.1:5432", "clients of :8000"]  # busiest (by rate) first


def test_a_socket_not_named_yet_is_no_peer_until_it_is() -> None:
    # The probe had the accepted socket's remote but not its local address yet: it is not
    # "a client of 127.0.0.1:50001", and once named it is one of the server's clients.
    server, remote = "127.0.0.1:8000", "127.0.0.1:50001"
    first = model_of(sys_frame(1, conns=[conn(1, "socket:[4924047]", remote, 100, 10)]))
    assert [p.name for p in build_snapshot(first).net.peers] == ["(address unknown)"]
    m = model_of(sys_frame(1, conns=[conn(1, "socket:[4924047]", remote, 100, 10)]),
                 sys_frame(2, conns=[conn(1, server, remote, 200, 20)]))
    assert [p.name for p in build_snapshot(m).net.peers] == ["clients of :8000"]


def test_a_listener_seen_after_its_connections_makes_them_its_clients() -> None:
    # Both ports in the ephemeral range: until the LISTEN row comes, nothing says which
    # side is the server (the demo's net-server: its accepted connection read as a peer)
    server, remote = "127.0.0.1:39235", "127.0.0.1:37038"
    m = model_of(sys_frame(1, conns=[conn(1, server, remote, 100, 10)]))
    assert [p.name for p in build_snapshot(m).net.peers] == [remote]
    m.apply("procfs", {"k": "sample", "ts": T0 + 2, "seq": 50, "net": {
        "tcp": [["127.0.0.1:39235", "0.0.0.0:0", "LISTEN", 11, 0, 0]], "udp": 0, "unix": 0}})
    assert [(p.name, p.open) for p in build_snapshot(m).net.peers] == [
        ("clients of :39235", 1)]
