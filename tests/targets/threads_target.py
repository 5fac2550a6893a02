"""Target with named threads: ``threads_target.py CTLPAGE NAME...``.

Starts one thread per NAME with that comm (names may hold spaces and parentheses), prints
"ready" and serves commands on the control page:
  op 1 (i, n): thread i sleeps 1 ms n times (n voluntary context switches), returns its tid
  op 2 (i, 0): returns thread i's tid
Idle threads block on a queue, so they make no context switch.
"""

from __future__ import annotations

import queue
import sys
import threading
import time

from ctlpage import Page, guard, name_thread


class Worker:
    def __init__(self, name: str) -> None:
        self.name = name
        self.tid = 0
        self.jobs: queue.Queue[int] = queue.Queue()
        self.done: queue.Queue[int] = queue.Queue()
        self.ready = threading.Event()
        threading.Thread(target=self.run, name=name, daemon=True).start()

    def run(self) -> None:
        name_thread(self.name)
        self.tid = threading.get_native_id()
        self.ready.set()
        while True:
            n = self.jobs.get()
            for _ in range(n):
                time.sleep(0.001)
            self.done.put(n)


def main() -> None:
    guard()
    page = Page(sys.argv[1])
    workers = [Worker(name) for name in sys.argv[2:]]
    for w in workers:
        w.ready.wait()
    print("ready", flush=True)

    def sleep_n(i: int, n: int) -> int:
        workers[i].jobs.put(n)
        workers[i].done.get()
        return workers[i].tid

    page.serve({1: sleep_n, 2: lambda i, _: workers[i].tid})


if __name__ == "__main__":
    main()
