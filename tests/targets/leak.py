"""Target for memory_growth: keeps 4 MiB more every second (a list that only grows), for
``--seconds`` (default 12); with ``--good`` it allocates as much but lets each block go.

Usage: leak.py [--good] [--seconds S]
"""

from __future__ import annotations

import argparse
import ctypes
import signal
import time

BLOCK = 1024 * 1024  # 1 MiB, touched so that it counts in RSS
PER_S = 4


def main() -> int:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive a test
    p = argparse.ArgumentParser()
    p.add_argument("--good", action="store_true")
    p.add_argument("--seconds", type=float, default=12.0)
    a = p.parse_args()
    kept: list[bytearray] = []
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        block = bytearray(b"x" * BLOCK)
        if not a.good:
            kept.append(block)
        time.sleep(1 / PER_S)
    return len(kept) * 0


if __name__ == "__main__":
    raise SystemExit(main())
