"""Target for gil_contention: THREADS threads (``spin-N``) run pure Python loops at once, so
they queue for the GIL; with ``--good`` the same rounds run one after the other in one
thread (the same work, nobody waits).  Runs ``--seconds`` (default 5) and exits.

Usage: gil_spin.py [--good] [--seconds S]
"""

from __future__ import annotations

import argparse
import ctypes
import signal
import threading
import time

THREADS = 3


def spin(end: float) -> None:
    while time.monotonic() < end:
        s = 0
        for i in range(10_000):
            s += i


def main() -> int:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive a test
    p = argparse.ArgumentParser()
    p.add_argument("--good", action="store_true")
    p.add_argument("--seconds", type=float, default=5.0)
    a = p.parse_args()
    end = time.monotonic() + a.seconds
    if a.good:
        t = threading.Thread(target=spin, args=(end,), name="spin-0")
        t.start()
        t.join()
        return 0
    jobs = [threading.Thread(target=spin, args=(end,), name=f"spin-{i}")
            for i in range(THREADS)]
    for t in jobs:
        t.start()
    for t in jobs:
        t.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
