"""Target for telling an idle pool from contention: a pool of WORKERS threads that wait for
work nearly all the time (in a queue's futex), given a tiny task every 20 ms.  It raises
no lock_contention nor gil_contention.  Runs ``--seconds`` (default 5) and exits.

Usage: idle_pool.py [--seconds S]
"""

from __future__ import annotations

import argparse
import ctypes
import signal
import time
from concurrent.futures import ThreadPoolExecutor

WORKERS = 8


def task(n: int) -> int:
    return n * 2


def main() -> int:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive a test
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=5.0)
    a = p.parse_args()
    end = time.monotonic() + a.seconds
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="pool") as pool:
        for i in range(WORKERS):  # every worker started
            pool.submit(task, i)
        n = 0
        while time.monotonic() < end:
            pool.submit(task, n).result()
            n += 1
            time.sleep(0.02)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
