"""Target for context_switch_storm and high_system_time: thread ``ping`` hands messages to
thread ``pong`` over a pipe and waits for each reply (two context switches per message,
almost all of the time in the kernel); with ``--good`` the same number of messages go in
batches of BATCH (one handoff per batch).  Runs ``--seconds`` (default 5) and exits.

Usage: findings_handoff.py [--good] [--seconds S] [--counts FILE]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import threading
import time

BATCH = 1000
MESSAGES_PER_S = 20_000  # the good one's pace; the bad one goes as fast as it can


def main() -> int:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive a test
    p = argparse.ArgumentParser()
    p.add_argument("--good", action="store_true")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--counts", help="write the ground truth here (JSON) at the end")
    a = p.parse_args()
    to_pong, from_ping = os.pipe()[::-1]
    to_ping, from_pong = os.pipe()[::-1]
    size = BATCH if a.good else 1
    end = time.monotonic() + a.seconds
    done = {"round_trips": 0, "seconds": 0.0}
    began = time.monotonic()

    def ping() -> None:
        while time.monotonic() < end:
            os.write(to_pong, b"m" * size)
            os.read(from_pong, size)
            done["round_trips"] += 1
            if a.good:
                time.sleep(BATCH / MESSAGES_PER_S)
        os.write(to_pong, b"")
        os.close(to_pong)

    def pong() -> None:
        while True:
            got = os.read(from_ping, size)
            if not got:
                return
            os.write(to_ping, got)

    jobs = [threading.Thread(target=fn, name=fn.__name__) for fn in (ping, pong)]
    for t in jobs:
        t.start()
    for t in jobs:
        t.join()
    done["seconds"] = time.monotonic() - began
    if a.counts:  # the ground truth, for tests
        with open(a.counts, "w") as f:
            json.dump(done, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
