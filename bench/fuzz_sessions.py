"""Session-file fuzzing: damaged and crafted files must end in a clear error or a result,
never a traceback or a hang, within bounded time and memory.

    python3 bench/fuzz_sessions.py                 # 10 000 cases from tests/golden/sessions
    python3 bench/fuzz_sessions.py --cases 500 --seed 7

Each case mutates a real recording (bit flips, cut, spliced, garbage appended or inserted,
bytes repeated) or is one of the crafted files (a chunk of millions of one-byte frames,
garbage full of block markers, NaN and Infinity in frames), then runs what a user would:
``report`` (the summary), ``export`` (json and folded) and a full read of the frames.  Every
case runs under an alarm of --limit seconds.  Prints counts, the slowest cases, per-case time
percentiles and the peak RSS of the process; exits 1 when a case raised anything but the
clean SessionError, hung, or broke a bound.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import signal
import struct
import sys
import tempfile
import time
import traceback
import zlib
from collections.abc import Callable
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import msgpack  # noqa: E402

from perftui.report.export import NoStacks, export  # noqa: E402
from perftui.report.load import summarize  # noqa: E402
from perftui.session.format import (  # noqa: E402
    BLOCK_MARKER,
    FLAG_KEY,
    KIND_CHUNK,
    RECORD,
    SessionError,
    compressor,
    encode_header,
    pack_block,
)
from perftui.session.reader import SessionReader  # noqa: E402
from perftui.session.recorder import new_header  # noqa: E402

SESSIONS = REPO / "tests" / "golden" / "sessions"
RSS_LIMIT_MIB = 100.0


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM): ru_maxrss would also count the peak of the process
    that forked it (a test runner)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Hung(Exception):
    pass


def _alarm(_sig: int, _frame: FrameType | None) -> None:
    raise Hung


def crafted_tiny_frames(n: int = 2_000_000) -> bytes:
    """A valid header and one chunk claiming 65535 frames that holds ``n`` one-byte records."""
    header = new_header(1, label="crafted", command=["x"], interval=1.0, probes=["procfs"])
    body = RECORD.pack(0, len(b"procfs")) + b"procfs"  # DEFINE stream 1
    body += (RECORD.pack(1, 1) + b"\x80") * n
    comp = compressor()
    payload = comp.compress(body) + comp.flush(zlib.Z_SYNC_FLUSH)
    return encode_header(header) + pack_block(KIND_CHUNK | FLAG_KEY, 65535, time.time(), 1.0,
                                              payload[:-4])


def crafted_nan(base: bytes) -> bytes:
    """A valid chunk whose procfs sample carries NaN and Infinity."""
    header = new_header(1, label="nan", command=["x"], interval=1.0, probes=["procfs"])
    now = time.time()
    frames = [msgpack.packb({"k": "hello", "ts": now, "seq": 0, "schema": 1, "probe": "procfs",
                             "pid": 1, "interval": 1.0, "caps": {}}),
              *(msgpack.packb({"k": "sample", "ts": now + i, "seq": i,
                               "cpu": [float("nan"), float("inf")], "rss": float("-inf")})
                for i in range(1, 4))]
    body = RECORD.pack(0, len(b"procfs")) + b"procfs"
    body += b"".join(RECORD.pack(1, len(f)) + f for f in frames)
    comp = compressor()
    payload = comp.compress(body) + comp.flush(zlib.Z_SYNC_FLUSH)
    return encode_header(header) + pack_block(KIND_CHUNK | FLAG_KEY, len(frames), now, 3.0,
                                              payload[:-4])


def mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    how = rng.randrange(8)
    if how == 0:  # bit flips
        for _ in range(rng.randint(1, 20)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif how == 1:  # cut short
        del b[rng.randrange(len(b)):]
    elif how == 2:  # garbage appended
        b += rng.randbytes(rng.randint(1, 200_000))
    elif how == 3:  # garbage inserted after the header
        at = rng.randrange(min(len(b), 400), len(b))
        b[at:at] = rng.randbytes(rng.randint(1, 50_000))
    elif how == 4:  # block markers sprinkled into garbage
        junk = bytearray(rng.randbytes(rng.randint(1000, 300_000)))
        for _ in range(len(junk) // 64):
            i = rng.randrange(len(junk) - 2)
            junk[i:i + 2] = BLOCK_MARKER
        b += junk
    elif how == 5:  # a stretch repeated
        i = rng.randrange(len(b))
        j = min(len(b), i + rng.randint(1, 4000))
        b[i:i] = b[i:j] * rng.randint(1, 20)
    elif how == 6:  # bytes zeroed
        i = rng.randrange(len(b))
        b[i:i + rng.randint(1, 300)] = bytes(len(b[i:i + 300]))
    else:  # a length field made huge
        i = rng.randrange(max(1, len(b) - 4))
        b[i:i + 4] = struct.pack("<I", rng.choice([0xFFFFFFFF, 1 << 30, len(b) * 2]))
    return bytes(b)


def run_case(path: str) -> str:
    """What a user's commands do with the file: "ok", "error" (a clean one) or raises."""
    outcome = "ok"
    steps: list[Callable[[], object]] = [
        lambda: summarize(path, None, None),
        lambda: export(path, "json"),
        lambda: export(path, "folded"),
        lambda: sum(1 for _ in SessionReader(path).frames()),
    ]
    for step in steps:
        try:
            step()
        except (SessionError, NoStacks):
            outcome = "error"
    return outcome


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit", type=float, default=2.0, help="seconds a case may take")
    args = p.parse_args()
    rng = random.Random(args.seed)
    bases = [f.read_bytes() for f in sorted(SESSIONS.glob("*.perftui"))]
    if not bases:
        print(f"no sessions in {SESSIONS}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGALRM, _alarm)
    crafted = [("tiny frames", crafted_tiny_frames()), ("nan", crafted_nan(bases[0])),
               ("markers", bases[0] + bytes(BLOCK_MARKER) * 500_000)]
    counts = {"ok": 0, "error": 0, "traceback": 0, "hang": 0}
    times: list[tuple[float, str]] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="perftui-fuzz-") as tmp:
        path = os.path.join(tmp, "case.perftui")
        for n in range(args.cases):
            name, data = crafted[n] if n < len(crafted) else (
                f"case {n}", mutate(rng, rng.choice(bases)))
            with open(path, "wb") as f:
                f.write(data)
            t0 = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, args.limit * 5)  # a hang, not a slow case
            try:
                counts[run_case(path)] += 1
            except Hung:
                counts["hang"] += 1
                failures.append(f"{name}: hung ({len(data)} bytes)")
            except Exception:
                counts["traceback"] += 1
                failures.append(f"{name}: {traceback.format_exc(limit=3)}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            times.append((time.perf_counter() - t0, name))
    times.sort()
    rss = peak_rss_mib()
    slow = [t for t in times if t[0] > args.limit]

    def pct(q: float) -> float:
        return times[min(len(times) - 1, int(q * len(times)))][0] * 1000

    print(f"cases {len(times)}: ok {counts['ok']}, clean error {counts['error']}, "
          f"traceback {counts['traceback']}, hang {counts['hang']}")
    print(f"time per case: median {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, "
          f"max {times[-1][0] * 1000:.0f} ms ({times[-1][1]}); over {args.limit:g} s: "
          f"{len(slow)}")
    print(f"peak RSS {rss:.0f} MiB (bound {RSS_LIMIT_MIB:.0f} MiB)")
    for t, name in times[-3:]:
        print(f"  slowest: {name} {t * 1000:.0f} ms")
    for failure in failures[:10]:
        print("FAIL", failure)
    bad = counts["traceback"] or counts["hang"] or slow or rss > RSS_LIMIT_MIB
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
