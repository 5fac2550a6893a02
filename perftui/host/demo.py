"""The built-in demo target: a small process with known, visible behaviour.

``python -m perftui.host.demo`` runs named threads that burn CPU in named functions, grows its
memory steadily, writes and reads a temporary file and talks TCP to itself on loopback; it
keeps one child process busy hashing and starts a short-lived one every 3 s (the process
tree, ``T``).
perftui attaches to it when started with no target; the screenshots are taken of it.
It exits when its parent does, so it never outlives perftui.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import os
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable

_PR_SET_NAME = 15
_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def name_this_thread(name: str) -> None:
    """Set the kernel's name (comm) of the calling thread, so /proc and perftui show it."""
    _libc.prctl(_PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def duty_cycle(busy_share: float, work: Callable[[], object], stop: threading.Event) -> None:
    """Call ``work`` for ``busy_share`` of each 100 ms, sleep the rest: bounded CPU use."""
    while not stop.is_set():
        start = time.monotonic()
        while time.monotonic() - start < 0.1 * busy_share:
            work()
        stop.wait(0.1 * (1 - busy_share))


def crunch_numbers() -> int:
    total = 0
    for i in range(20_000):
        total += i * i % 7
    return total


def hash_blocks(block: bytes = b"x" * 65536) -> bytes:
    return hashlib.sha256(block).digest()


def cruncher(stop: threading.Event) -> None:
    name_this_thread("cruncher")
    duty_cycle(0.30, crunch_numbers, stop)


def hasher(stop: threading.Event) -> None:
    name_this_thread("hasher")
    duty_cycle(0.10, hash_blocks, stop)


def io_worker(stop: threading.Event, bytes_per_s: int) -> None:
    """Write then read back a temporary file, in 64 KiB calls."""
    name_this_thread("io-worker")
    chunk = b"\0" * 65536
    with tempfile.NamedTemporaryFile(prefix="perftui-demo-", suffix=".dat") as tmp:
        fd = tmp.fileno()
        while not stop.is_set():
            os.lseek(fd, 0, os.SEEK_SET)
            for _ in range(max(1, bytes_per_s // len(chunk))):
                os.write(fd, chunk)
            os.lseek(fd, 0, os.SEEK_SET)
            while os.read(fd, 65536):
                pass
            stop.wait(1.0)


def memory_grower(stop: threading.Event, mib_per_min: float, cap_mib: int) -> None:
    """Keep allocating (and touching) memory at a steady pace, up to a cap, then start over."""
    name_this_thread("leaky-cache")
    hoard: list[bytearray] = []
    step = int(mib_per_min * 2**20 / 60)  # bytes per second
    while not stop.is_set():
        if sum(len(b) for b in hoard) + step > cap_mib * 2**20:
            hoard.clear()
        hoard.append(bytearray(os.urandom(16)) * (step // 16))
        stop.wait(1.0)


def tcp_pair(stop: threading.Event, bytes_per_s: int) -> None:
    """A server and a client thread exchanging a steady stream of bytes over loopback."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        name_this_thread("net-server")
        conn, _ = server.accept()
        with conn:
            while not stop.is_set():
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data[: max(1, len(data) // 4)])  # a shorter reply

    threading.Thread(target=serve, daemon=True).start()
    name_this_thread("net-client")
    payload = b"p" * 16384
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.settimeout(1.0)
        while not stop.is_set():
            for _ in range(max(1, bytes_per_s // len(payload))):
                client.sendall(payload)
                try:
                    client.recv(65536)
                except TimeoutError:
                    pass
            stop.wait(1.0)


# The long-lived child: hashes at about a fifth of a core until its parent's pipe closes.
_CHILD = """
import hashlib, os, sys, threading, time
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
data = b"c" * 65536
while True:
    start = time.monotonic()
    while time.monotonic() - start < 0.02:
        hashlib.sha256(data).digest()
    time.sleep(0.08)
"""


def spawner(stop: threading.Event) -> None:
    """A child that lives as long as the demo, and a short one every 3 s."""
    import subprocess
    import sys

    name_this_thread("spawner")
    # (argv[0] "python3": the tree shows that, not this machine's path to the interpreter)
    child = subprocess.Popen(["python3", "-I", "-c", _CHILD.strip()], executable=sys.executable,
                             stdin=subprocess.PIPE)
    try:
        while not stop.wait(3.0):
            subprocess.run(["sleep", "0.2"], check=False)
    finally:
        if child.stdin is not None:
            child.stdin.close()  # its reader sees the end and it exits
        child.wait(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -I demo.py", description=__doc__)
    parser.add_argument("--duration", type=float, default=0, help="seconds to run (0: forever)")
    parser.add_argument("--leak", type=float, default=6.0, help="memory growth in MiB/min")
    args = parser.parse_args(argv)
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    workers: list[tuple[Callable[..., None], tuple[object, ...]]] = [
        (cruncher, ()), (hasher, ()), (io_worker, (2 * 2**20,)),
        (memory_grower, (args.leak, 512)), (tcp_pair, (256 * 1024,)), (spawner, ()),
    ]
    threads = [threading.Thread(target=func, args=(stop, *extra), name=func.__name__,
                                daemon=True) for func, extra in workers]
    for thread in threads:
        thread.start()
    stop.wait(args.duration or None)
    stop.set()
    # Let the workers leave their `with` blocks: the io worker's temporary file goes with it.
    deadline = time.monotonic() + 2.0
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
