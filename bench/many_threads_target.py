"""Benchmark target: N sleeping threads and M open files, mostly idle (like a server at rest)."""

from __future__ import annotations

import argparse
import ctypes
import signal
import tempfile
import threading
import time


def sleeper(name: str) -> None:
    ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME, so comm shows it
    time.sleep(3600)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=100)
    p.add_argument("--fds", type=int, default=200)
    args = p.parse_args()
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # die with the benchmark
    files = [tempfile.TemporaryFile() for _ in range(args.fds)]  # noqa: SIM115 (held open)
    for i in range(args.threads - 1):
        threading.Thread(target=sleeper, args=(f"w{i}",), daemon=True).start()
    print("ready", len(files), flush=True)
    time.sleep(3600)


if __name__ == "__main__":
    main()
