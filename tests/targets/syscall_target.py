"""Target making an exact, known set of system calls once told to: ``syscall_target.py OP ...``.

Prints "ready" and blocks in sigwait(SIGUSR1): that call was entered before any probe
attached, so it is never counted.  On SIGUSR1 it runs OP, sleeps LINGER seconds (so a probe
sampling every 0.1 s names its files while they are open), and exits with os._exit (no
interpreter shutdown calls).  Ops:
  read N SIZE PATH      open PATH, N os.read calls of SIZE bytes each (each must get SIZE)
  enoent N              N opens of a path that does not exist (ENOENT)
  sleep N MS            N time.sleep(MS / 1000): clock_nanosleep
  tcp BYTES             a TCP pair over 127.0.0.1: the client sends BYTES, the server
                        receives them all; both closed before the linger
  reuse SIZE A B PAUSE  open A, read SIZE, sleep PAUSE s, close; then the same with B
                        (which gets A's fd number)
  early N SIZE PATH     as read, but PATH is opened before "ready" (before any probe)
  short K N             K threads one after another, each making N getppid calls
  hot N K               N one-byte reads of /dev/zero, with a 20 ms sleep after each N/K
  uname N               N os.uname() calls (x86_64's kernel names it newuname)
  idle                  nothing (the baseline of the op-independent calls)
LINGER is the environment variable SYSCALL_TARGET_LINGER (default 0.5).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time

from ctlpage import guard


def do_read(n: int, size: int, path: str, fd: int | None = None) -> None:
    fd = os.open(path, os.O_RDONLY) if fd is None else fd
    for _ in range(n):
        if len(os.read(fd, size)) != size:
            raise SystemExit("short read")


def do_enoent(n: int) -> None:
    for _ in range(n):
        try:
            os.open("/nonexistent-perftui-target/missing", os.O_RDONLY)
        except FileNotFoundError:
            pass


def do_sleep(n: int, ms: int) -> None:
    for _ in range(n):
        time.sleep(ms / 1000)


def do_tcp(total: int) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname())
    conn, _ = server.accept()
    chunk = b"x" * 65536
    sent = got = 0
    while got < total:  # one thread: send a chunk, drain it, so buffers never fill
        n = client.send(chunk[:min(len(chunk), total - sent)]) if sent < total else 0
        sent += n
        while got < sent:
            got += len(conn.recv(65536))
    for s in (client, conn, server):
        s.close()


def do_hot(n: int, k: int) -> None:
    fd = os.open("/dev/zero", os.O_RDONLY)
    for _ in range(k):
        for _ in range(n // k):
            os.read(fd, 1)
        time.sleep(0.02)


def do_reuse(size: int, a: str, b: str, pause: float) -> None:
    for path in (a, b):
        fd = os.open(path, os.O_RDONLY)
        os.read(fd, size)
        if pause:
            time.sleep(pause)
        os.close(fd)


def do_short(k: int, n: int) -> None:
    import threading

    def calls() -> None:
        for _ in range(n):
            os.getppid()

    for _ in range(k):
        t = threading.Thread(target=calls)
        t.start()
        t.join()


def main() -> None:
    guard()
    op, args = sys.argv[1], sys.argv[2:]
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    early = os.open(args[2], os.O_RDONLY) if op == "early" else None
    print("ready", flush=True)
    signal.sigwait({signal.SIGUSR1})
    if op in ("read", "early"):
        do_read(int(args[0]), int(args[1]), args[2], early)
    elif op == "enoent":
        do_enoent(int(args[0]))
    elif op == "sleep":
        do_sleep(int(args[0]), int(args[1]))
    elif op == "tcp":
        do_tcp(int(args[0]))
    elif op == "hot":
        do_hot(int(args[0]), int(args[1]))
    elif op == "short":
        do_short(int(args[0]), int(args[1]))
    elif op == "reuse":
        do_reuse(int(args[0]), args[1], args[2], float(args[3]))
    elif op == "uname":
        for _ in range(int(args[0])):
            os.uname()
    elif op != "idle":
        raise SystemExit(f"unknown op {op}")
    time.sleep(float(os.environ.get("SYSCALL_TARGET_LINGER", "0.5")))
    os._exit(0)


if __name__ == "__main__":
    main()
