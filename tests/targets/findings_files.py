"""Target for the file and syscall findings: six threads, each doing one job badly, or with
``--good`` the same job done well.  Runs ``--seconds`` (default 5) and exits.

==========  ======================================  ====================================
thread      bad                                     good
==========  ======================================  ====================================
opener      opens, reads and closes CONFIG 250/s    keeps it open, preads it 250/s
statter     stats CONFIG and a missing path 750/s   stats them once, remembers
writer      writes 1 byte at a time, 2000/s         writes the same bytes once a second
poller      select() with a zero timeout, then a    select() with a 1 s timeout
            non-blocking read (EAGAIN), 400/s
napper      sleeps 0.5 ms in a loop (~1000/s)       waits on an event
failer      lseek() on a pipe (ESPIPE) 250/s        does not
==========  ======================================  ====================================

Usage: findings_files.py DIR [--good] [--seconds S]; DIR gets CONFIG (2 KiB), OUT, and at
the end COUNTS.json: the calls each job made (opens of CONFIG, stats of each path, 1-byte
writes, zero-timeout selects, EAGAIN reads, short sleeps, failed seeks), for tests to check
findings by.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import select
import signal
import threading
import time

RATE_SLEEP = 1 / 300  # seconds between rounds of a bad loop (at most 300 rounds a second)


def main() -> int:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive a test
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--good", action="store_true")
    p.add_argument("--seconds", type=float, default=5.0)
    a = p.parse_args()
    # Relative paths, as programs mostly give them: perftui names them absolute (its cwd)
    counts = os.path.join(os.path.abspath(a.dir), "COUNTS.json")
    os.chdir(a.dir)
    config, out, missing = "CONFIG", "OUT", "MISSING"
    with open(config, "wb") as f:
        f.write(b"k = v\n" * 350)
    end = time.monotonic() + a.seconds
    done = {"opens": 0, "stats": 0, "writes": 0, "zero_selects": 0, "eagain_reads": 0,
            "naps": 0, "failed_seeks": 0}
    # (each job is its own loop: the function py-spy names is the job's, not a helper's)

    def opener() -> None:
        fd = os.open(config, os.O_RDONLY)
        done["opens"] += 1
        while time.monotonic() < end:
            if a.good:
                os.pread(fd, 4096, 0)
            else:
                with open(config, "rb") as f:
                    f.read()
                done["opens"] += 1
            time.sleep(RATE_SLEEP)

    def statter() -> None:
        known = (os.path.exists(config), os.path.exists(missing))
        done["stats"] += 1
        while time.monotonic() < end:
            if not a.good:
                for _ in range(3):
                    known = (os.path.exists(config), os.path.exists(missing))
                    done["stats"] += 1
            time.sleep(RATE_SLEEP)
        assert known

    def writer() -> None:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        while time.monotonic() < end:
            if a.good:
                os.write(fd, b"x" * 2000)
                time.sleep(1.0)
            else:
                for _ in range(10):
                    os.write(fd, b"x")
                done["writes"] += 10
                time.sleep(0.005)

    def poller() -> None:
        r, _w = os.pipe()
        os.set_blocking(r, False)
        while time.monotonic() < end:
            if a.good:
                select.select([r], [], [], 1.0)
            else:
                select.select([r], [], [], 0)
                done["zero_selects"] += 1
                try:
                    os.read(r, 1)  # not ready: EAGAIN
                except BlockingIOError:
                    done["eagain_reads"] += 1
                time.sleep(1 / 400)

    def napper() -> None:
        ready = threading.Event()  # (never set: the job is to wait)
        while time.monotonic() < end:
            if a.good:
                ready.wait(end - time.monotonic())
            else:
                time.sleep(0.0005)  # is it there yet?
                done["naps"] += 1

    def failer() -> None:
        r, _w = os.pipe()
        while time.monotonic() < end:
            if not a.good:
                try:
                    os.lseek(r, 0, os.SEEK_SET)
                except OSError:
                    done["failed_seeks"] += 1
            time.sleep(RATE_SLEEP)

    jobs = [threading.Thread(target=fn, name=fn.__name__)
            for fn in (opener, statter, writer, poller, napper, failer)]
    for t in jobs:
        t.start()
    for t in jobs:
        t.join()
    with open(counts, "w") as f:  # the ground truth
        json.dump(done, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
