"""Target doing exact I/O on command: ``io_target.py CTLPAGE FILE``.

Opens FILE (created, truncated), prints "ready FD" and serves commands on the control page,
making no other read or write system call than the ones asked for:
  op 1 (n, m): write n bytes to FILE in m os.write calls from offset 0; returns bytes written
  op 2 (n, m): read n bytes of FILE in m os.read calls from offset 0; returns bytes read
  op 3 (0, 0): open FILE.extra as one more descriptor; returns it
  op 4 (fd, 0): close that descriptor
"""

from __future__ import annotations

import os
import sys

from ctlpage import Page, guard


def chunks(n: int, m: int) -> list[int]:
    """n split into m sizes as equal as can be."""
    return [n // m + (1 if i < n % m else 0) for i in range(m)]


def main() -> None:
    guard()
    page = Page(sys.argv[1])
    path = sys.argv[2]
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    print(f"ready {fd}", flush=True)

    def write(n: int, m: int) -> int:
        os.lseek(fd, 0, os.SEEK_SET)
        block = b"w" * (n // m + 1)
        return sum(os.write(fd, block[:size]) for size in chunks(n, m))

    def read(n: int, m: int) -> int:
        os.lseek(fd, 0, os.SEEK_SET)
        return sum(len(os.read(fd, size)) for size in chunks(n, m))

    def open_extra(_a: int, _b: int) -> int:
        return os.open(path + ".extra", os.O_RDWR | os.O_CREAT, 0o600)

    def close(extra: int, _b: int) -> int:
        os.close(extra)
        return 0

    page.serve({1: write, 2: read, 3: open_extra, 4: close})


if __name__ == "__main__":
    main()
