"""Target for the pyspy probe's options: one thread that holds the GIL, one that runs without it.

Threads (Python names): ``spinner`` runs a Python loop (holds the GIL), ``hasher`` hashes a
1 MiB buffer (hashlib releases the GIL for large inputs, so it runs on the CPU without it); the
main thread sleeps (idle).  Both workers pause briefly between rounds so the target stays under
two cores.  Prints "ready" once the workers run.  Dies with its parent.
"""

from __future__ import annotations

import ctypes
import hashlib
import signal
import sys
import threading
import time

DATA = b"x" * (1 << 20)


def hasher() -> None:
    while True:
        hashlib.sha256(DATA).digest()
        time.sleep(0.001)


def spinner() -> None:
    while True:
        s = 0
        for i in range(100_000):
            s += i
        time.sleep(0.001)


def main() -> int:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive a test
    for work in (hasher, spinner):
        threading.Thread(target=work, name=work.__name__, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()  # no wakeups: py-spy never catches it running
    return 0


if __name__ == "__main__":
    sys.exit(main())
