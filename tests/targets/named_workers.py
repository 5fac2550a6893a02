"""Target for end-to-end tests: named threads, one of them busy, and a known exit status.

Usage: named_workers.py [--exit-after S] [--exit-code N]
Threads: ``busy-worker`` spins (so it tops the thread table), ``idle-a`` and ``idle-b`` sleep.
Prints "ready" once the threads are named.  Exits when its parent dies.
"""

from __future__ import annotations

import argparse
import ctypes
import signal
import sys
import threading
import time

libc = ctypes.CDLL(None)


def named(name: str, busy: bool) -> None:
    libc.prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME: the thread's comm
    while True:
        if busy:
            sum(i * i for i in range(50_000))
            time.sleep(0.002)  # stays below a full core so the machine keeps breathing
        else:
            time.sleep(1)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--exit-after", type=float, default=600)
    p.add_argument("--exit-code", type=int, default=0)
    args = p.parse_args()
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive the test
    for name, busy in (("busy-worker", True), ("idle-a", False), ("idle-b", False)):
        threading.Thread(target=named, args=(name, busy), daemon=True).start()
    time.sleep(0.2)
    print("ready", flush=True)
    time.sleep(args.exit_after)
    return args.exit_code


if __name__ == "__main__":
    sys.exit(main())
