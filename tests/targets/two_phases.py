"""A Python target in two phases: phase_a() for SECONDS, then phase_b() for SECONDS.
Prints "switch <epoch seconds>" when it moves to phase_b.  Usage: two_phases.py SECONDS"""

import sys
import time


def spin() -> int:
    x = 0
    for i in range(20_000):
        x += i
    return x


def phase_a(until: float) -> None:
    while time.time() < until:
        spin()


def phase_b(until: float) -> None:
    while time.time() < until:
        spin()


seconds = float(sys.argv[1])
phase_a(time.time() + seconds)
switch = time.time()
print(f"switch {switch:.3f}", flush=True)
phase_b(switch + seconds)
