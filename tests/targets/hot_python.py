"""Target with a known CPU profile: 75% of its time in ``hot_a``, 25% in ``hot_b``.

``hot_a`` and ``hot_b`` run the same loop body, 3 UNIT and 1 UNIT times per round, so the
split is 3:1 by construction whatever the machine's speed.  Workers are Python threads named
``hot-worker`` (``hot-worker-K`` with ``--threads N`` > 1); the main thread sleeps.

Usage: hot_python.py [--threads N] [--report]
Prints "ready" once the workers run; with --report, then "rounds N" (the workers' total
rounds so far) once a second, for benchmarks of slowdown.  Dies with its parent.
"""

from __future__ import annotations

import argparse
import ctypes
import signal
import sys
import threading
import time

# Long calls (hot_b ~1 ms): a non-blocking sampler loses samples that race a frame change,
# and with short calls those losses fall mostly on the shorter function.
UNIT = 20_000
rounds = [0]


def hot_a() -> int:
    s = 0
    for i in range(3 * UNIT):
        s += i * i
    return s


def hot_b() -> int:
    s = 0
    for i in range(UNIT):
        s += i * i
    return s


def work() -> None:
    while True:
        hot_a()
        hot_b()
        rounds[0] += 1  # racy across threads, close enough for a rate


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--report", action="store_true")
    args = p.parse_args()
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive a test
    for k in range(args.threads):
        name = "hot-worker" if args.threads == 1 else f"hot-worker-{k}"
        threading.Thread(target=work, name=name, daemon=True).start()
    print("ready", flush=True)
    while True:
        time.sleep(1)
        if args.report:
            print(f"rounds {rounds[0]}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
