"""A Python parent with a multiprocessing pool: the workers spend their time in
``worker_hot``; the parent only waits.  Runs for SECONDS (argv[1], default 6)."""

from __future__ import annotations

import multiprocessing
import sys
import time


def worker_hot(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 6.0
    end = time.monotonic() + seconds
    with multiprocessing.get_context("fork").Pool(2) as pool:
        while time.monotonic() < end:
            pool.map(worker_hot, [200_000] * 8)


if __name__ == "__main__":
    main()
