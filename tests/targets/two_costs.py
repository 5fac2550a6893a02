"""A CPU-bound loop of two functions with known costs: ``hot`` does N steps a call (3N with
``--slow``), ``other`` 3N; until killed.  Without --slow hot has a quarter of the samples,
with it half: the same code made three times slower per call."""

from __future__ import annotations

import sys

N = 20_000


def hot(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def other(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def main() -> None:
    n_hot = 3 * N if "--slow" in sys.argv else N
    print("ready", flush=True)
    while True:
        hot(n_hot)
        other(3 * N)


if __name__ == "__main__":
    main()
