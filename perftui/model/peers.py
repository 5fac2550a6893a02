"""Connections rolled up by peer: what a person asks first of a busy socket table.

A server's clients are one row under the port they came to (``clients of :8000``): two
thousand short connections from ephemeral ports are one workload, not two thousand rows.  A
client's connections are one row per remote endpoint (``10.0.0.5:5432``): connection churn
to one database shows as many connections under one name.  Unix and other sockets without
an address are one row per kind.

Which side a connection is on: its local port is one the target listens on (from the
procfs probe's socket table), or, when no listener was seen (it was opened before the
probe, or closed between two samples), its local port is below the kernel's ephemeral range
while the remote one is in it.
"""

from __future__ import annotations

from dataclasses import dataclass

EPHEMERAL_LOW = 32768  # Linux's default net.ipv4.ip_local_port_range starts here
UNKNOWN = "(address unknown)"


@dataclass
class PeerTotals:
    name: str
    role: str  # "server" (clients of a port of ours), "client" (a remote endpoint), "local"
    connections: int = 0
    open: int = 0
    sent: int = 0
    recv: int = 0
    sent_per_s: float | None = None
    recv_per_s: float | None = None


def port(addr: str) -> int | None:
    """The port of ``host:port`` or ``[v6]:port`` (None: none given)."""
    head, sep, tail = addr.rpartition(":")
    return int(tail) if sep and head and tail.isdigit() else None


def peer_of(kind: str, local: str, remote: str, listening: set[int]) -> tuple[str, str]:
    """(peer name, role) of one connection."""
    if kind not in ("tcp", "udp"):
        return f"{kind} sockets", "local"
    lport, rport = port(local), port(remote)
    if lport is not None and (lport in listening or (
            rport is not None and rport >= EPHEMERAL_LOW > lport)):
        return f"clients of :{lport}", "server"
    if rport is None:
        return UNKNOWN, "client"
    return remote, "client"
