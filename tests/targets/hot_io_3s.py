"""A Python target for about 3 s: a known hot function, and counted reads of one file and
writes to another.  Prints "reads R read_bytes RB writes W write_bytes WB" at the end.
Usage: hot_io_3s.py SRC DST SECONDS"""

import sys
import time


def hot_function() -> int:
    x = 0
    for i in range(100_000):
        x += i * i
    return x


src, dst, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
with open(src, "wb") as f:
    f.write(b"y" * 65536)
reads = writes = read_bytes = write_bytes = 0
t0 = time.monotonic()
with open(src, "rb", buffering=0) as r, open(dst, "wb", buffering=0) as w:
    while time.monotonic() - t0 < seconds:
        hot_function()
        r.seek(0)
        data = r.read(3000)
        reads, read_bytes = reads + 1, read_bytes + len(data)
        write_bytes += w.write(data[:1000])
        writes += 1
print(f"reads {reads} read_bytes {read_bytes} writes {writes} write_bytes {write_bytes}")
