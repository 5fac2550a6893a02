"""Target with two named threads making known numbers of syscalls the interpreter never makes.

``thread_syscalls.py A B E``: thread ``caller-a`` makes A getppid calls, thread ``caller-b``
makes B getppid calls and E getpgid calls that fail with ESRCH.  Prints
``ready TID_A TID_B`` once both threads are named and waiting, blocks in sigwait(SIGUSR1)
(entered before any probe attaches), then lets the threads run, joins them, lingers
SYSCALL_TARGET_LINGER seconds (default 0.5) and exits with os._exit.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

from ctlpage import guard

NO_SUCH_PID = 0x3FFFFFFF  # above pid_max: getpgid fails with ESRCH

libc = ctypes.CDLL(None, use_errno=True)


def caller(name: str, go: threading.Event, tids: list[int], ppids: int, fails: int) -> None:
    libc.prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME: the thread's comm
    tids.append(threading.get_native_id())
    go.wait()
    for _ in range(ppids):
        os.getppid()
    for _ in range(fails):
        try:
            os.getpgid(NO_SUCH_PID)
        except ProcessLookupError:
            pass


def main() -> None:
    guard()
    a, b, e = (int(v) for v in sys.argv[1:4])
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # inherited by the threads
    go = threading.Event()
    tid_a: list[int] = []
    tid_b: list[int] = []
    threads = [threading.Thread(target=caller, args=("caller-a", go, tid_a, a, 0)),
               threading.Thread(target=caller, args=("caller-b", go, tid_b, b, e))]
    for t in threads:
        t.start()
    while not (tid_a and tid_b):
        time.sleep(0.01)
    print("ready", tid_a[0], tid_b[0], flush=True)
    signal.sigwait({signal.SIGUSR1})
    go.set()
    for t in threads:
        t.join()
    time.sleep(float(os.environ.get("SYSCALL_TARGET_LINGER", "0.5")))
    os._exit(0)


if __name__ == "__main__":
    main()
