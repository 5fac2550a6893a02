"""Target with two named threads making getppid calls at a steady 3:1 ratio until killed.

``steady_syscalls.py``: thread ``caller-a`` makes 30 getppid calls every 0.1 s, ``caller-b``
10 (300/s and 100/s; the interpreter itself never calls getppid).  Prints
``ready TID_A TID_B`` once both threads are named, then runs until killed.
"""

from __future__ import annotations

import os
import threading
import time

from ctlpage import guard, name_thread

PERIOD_S = 0.1


def caller(name: str, per_period: int, tids: list[int]) -> None:
    name_thread(name)
    tids.append(threading.get_native_id())
    next_at = time.monotonic()
    while True:
        for _ in range(per_period):
            os.getppid()
        next_at += PERIOD_S
        time.sleep(max(0.0, next_at - time.monotonic()))


def main() -> None:
    guard()
    tid_a: list[int] = []
    tid_b: list[int] = []
    for name, n, tids in (("caller-a", 30, tid_a), ("caller-b", 10, tid_b)):
        threading.Thread(target=caller, args=(name, n, tids), daemon=True).start()
    while not (tid_a and tid_b):
        time.sleep(0.01)
    print("ready", tid_a[0], tid_b[0], flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
