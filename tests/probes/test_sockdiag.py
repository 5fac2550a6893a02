"""sock_diag parsing: built messages for the length checks, the live kernel for the layout."""

from __future__ import annotations

import errno
import os
import socket
import struct

import pytest

from perftui.probes.sockdiag import (
    INET_DIAG_INFO,
    NLMSG_DONE,
    NLMSG_ERROR,
    SOCK_DIAG_BY_FAMILY,
    TCPI_BYTES_ACKED,
    TCPI_BYTES_RECEIVED,
    TCPI_BYTES_SENT,
    SockDiag,
    TcpSock,
    parse_dump,
)


def tcp_info(length: int, acked: int = 11, received: int = 22, sent: int = 33) -> bytes:
    info = bytearray(length)
    for offset, value in ((TCPI_BYTES_ACKED, acked), (TCPI_BYTES_RECEIVED, received),
                          (TCPI_BYTES_SENT, sent)):
        if offset + 8 <= length:
            struct.pack_into("=Q", info, offset, value)
    return bytes(info)


def nlmsg(kind: int, body: bytes, seq: int = 7) -> bytes:
    msg = struct.pack("=IHHII", 16 + len(body), kind, 2, seq, 0) + body
    return msg + b"\0" * (-len(msg) % 4)


def diag_msg(inode: int, info: bytes | None, family: int = socket.AF_INET,
             state: int = 1) -> bytes:
    src = socket.inet_pton(family, "127.0.0.1" if family == socket.AF_INET else "::1")
    src = src.ljust(16, b"\0")
    body = struct.pack("=BBBB", family, state, 0, 0) + struct.pack(">HH", 8080, 40000)
    body += src + src + struct.pack("=8I", 0, 0, 0, 0, 0, 0, 1000, inode)
    if info is not None:
        attr = struct.pack("=HH", 4 + len(info), INET_DIAG_INFO) + info
        body += attr + b"\0" * (-len(attr) % 4)
    return nlmsg(SOCK_DIAG_BY_FAMILY, body)


def parse(data: bytes) -> tuple[bool, dict[int, TcpSock]]:
    out: dict[int, TcpSock] = {}
    done = parse_dump(memoryview(data), 7, out)
    return done, out


def test_full_tcp_info() -> None:
    done, out = parse(diag_msg(5, tcp_info(232)) + nlmsg(NLMSG_DONE, b"\0" * 4))
    assert done
    assert out == {5: TcpSock("127.0.0.1:8080", "127.0.0.1:40000", "ESTABLISHED", 33, 22)}


def test_short_tcp_info_falls_back_to_bytes_acked() -> None:
    # A kernel older than 4.19 has no tcpi_bytes_sent: bytes_acked stands in for it.
    _, out = parse(diag_msg(5, tcp_info(TCPI_BYTES_SENT + 4)))
    assert (out[5].bytes_sent, out[5].bytes_received) == (11, 22)


def test_shorter_tcp_info_gives_nil() -> None:
    _, out = parse(diag_msg(5, tcp_info(TCPI_BYTES_RECEIVED + 4)))
    assert (out[5].bytes_sent, out[5].bytes_received) == (11, None)
    _, out = parse(diag_msg(5, tcp_info(104)))
    assert (out[5].bytes_sent, out[5].bytes_received) == (None, None)
    _, out = parse(diag_msg(5, None))
    assert (out[5].bytes_sent, out[5].bytes_received) == (None, None)


def test_ipv6_listen_and_no_inode() -> None:
    data = diag_msg(9, tcp_info(232), socket.AF_INET6, state=10) + diag_msg(0, tcp_info(232))
    done, out = parse(data)
    assert not done  # no NLMSG_DONE yet: the caller reads on
    assert list(out) == [9]  # inode 0 belongs to no process
    assert (out[9].local, out[9].state) == ("[::1]:8080", "LISTEN")


def test_error_message() -> None:
    with pytest.raises(OSError) as info:
        parse(nlmsg(NLMSG_ERROR, struct.pack("=i", -errno.EINVAL) + b"\0" * 16))
    assert info.value.errno == errno.EINVAL


def test_other_sequence_numbers_are_skipped() -> None:
    stale = nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(3, tcp_info(232))[16:], seq=6)
    done, out = parse(stale + diag_msg(4, tcp_info(232)) + nlmsg(NLMSG_DONE, b"\0" * 4))
    assert done and list(out) == [4]


def test_live_counters_match_getsockopt() -> None:
    """The offsets against the kernel: sock_diag must agree with TCP_INFO of the socket."""
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    try:
        client.sendall(b"x" * 10_000)
        got = 0
        while got < 10_000:
            got += len(server.recv(65536))
        server.sendall(b"y" * 321)
        assert len(client.recv(1000)) == 321
        diag = SockDiag()
        try:
            found = diag.tcp(socket.AF_INET)
        finally:
            diag.close()
        for sock in (client, server):
            inode = os.fstat(sock.fileno()).st_ino
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 512)
            sent = struct.unpack_from("=Q", info, TCPI_BYTES_SENT)[0]
            received = struct.unpack_from("=Q", info, TCPI_BYTES_RECEIVED)[0]
            assert (found[inode].bytes_sent, found[inode].bytes_received) == (sent, received)
        client_inode = os.fstat(client.fileno()).st_ino
        assert (found[client_inode].bytes_sent, found[client_inode].bytes_received) == (
            10_000, 321)
        assert found[client_inode].remote == f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        for s in (client, server, listener):
            s.close()
