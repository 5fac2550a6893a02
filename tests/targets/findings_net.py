"""Target for connection_churn and chatty_io: thread ``churner`` opens a new connection to
CHURN_PORT for each 10-byte request, 50 a second; thread ``chatter`` sends 1 byte at a time
to CHAT_PORT, 1000 times a second.  With ``--good``: one connection each, the churner's
requests over it, the chatter's bytes in one send a second.  Runs ``--seconds`` (default 5).

Usage: findings_net.py CHURN_PORT CHAT_PORT [--good] [--seconds S] [--counts FILE]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import signal
import socket
import threading
import time

HOST = "127.0.0.1"


def main() -> int:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive a test
    p = argparse.ArgumentParser()
    p.add_argument("churn_port", type=int)
    p.add_argument("chat_port", type=int)
    p.add_argument("--good", action="store_true")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--counts", help="write the ground truth here (JSON) at the end")
    a = p.parse_args()
    end = time.monotonic() + a.seconds
    done = {"connections": 0, "sends": 0}

    def churner() -> None:
        kept = socket.create_connection((HOST, a.churn_port)) if a.good else None
        while time.monotonic() < end:
            if kept is not None:
                kept.sendall(b"GET /x\r\n\r\n")
            else:
                with socket.create_connection((HOST, a.churn_port)) as s:
                    s.sendall(b"GET /x\r\n\r\n")
                done["connections"] += 1
            time.sleep(1 / 50)

    def chatter() -> None:
        s = socket.create_connection((HOST, a.chat_port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while time.monotonic() < end:
            if a.good:
                s.sendall(b"x" * 1000)
                time.sleep(1.0)
            else:
                for _ in range(10):
                    s.send(b"x")
                done["sends"] += 10
                time.sleep(0.01)

    jobs = [threading.Thread(target=fn, name=fn.__name__) for fn in (churner, chatter)]
    for t in jobs:
        t.start()
    for t in jobs:
        t.join()
    if a.counts:  # the ground truth, for tests
        with open(a.counts, "w") as f:
            json.dump(done, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
