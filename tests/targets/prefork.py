"""A pre-forking server: forks WORKERS children, prints "ready" with their pids, and waits.
On SIGUSR1 each worker makes CALLS getppid calls, writes BYTES bytes to DIR/worker-N and
exits; the parent then exits.  Usage: prefork.py DIR WORKERS CALLS BYTES"""

from __future__ import annotations

import os
import signal
import sys


def work(directory: str, index: int, calls: int, size: int) -> None:
    signal.sigwait({signal.SIGUSR1})
    for _ in range(calls):
        os.getppid()
    fd = os.open(os.path.join(directory, f"worker-{index}"), os.O_WRONLY | os.O_CREAT)
    os.write(fd, b"w" * size)
    os._exit(0)


def main() -> None:
    directory, workers, calls, size = sys.argv[1], *map(int, sys.argv[2:5])
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    pids = []
    for i in range(workers):
        pid = os.fork()
        if pid == 0:
            work(directory, i, calls, size)
        pids.append(pid)
    print("ready", *pids, flush=True)
    signal.sigwait({signal.SIGUSR1})
    for pid in pids:
        os.kill(pid, signal.SIGUSR1)
    for pid in pids:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
