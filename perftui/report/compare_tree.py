"""The diff of two sessions' process trees: their totals side by side, and the programs only
one of them ran (a build that gained a step, a server that forks a helper it did not before).

Totals are shown with their change, not judged: a launched command's tree is a batch (its
totals are its cost, whatever its length), an attached server's is a rate (per second of the
session); which one a user wants depends on the session, so both are given.
"""

from __future__ import annotations

from typing import Any

TOTALS = ("processes", "cpu_s", "syscalls", "read_bytes", "write_bytes")


COMM_LEN = 15  # the kernel's name of a process: what a child no sample saw is known by


def command_name(command: str) -> str:
    """The program by base name, cut like the kernel's comm: a child that lived between two
    samples is known by its comm only, one that a sample saw by its argv."""
    words = command.split()
    return words[0].rsplit("/", 1)[-1][:COMM_LEN] if words else ""


def _row(name: str, a: float | None, b: float | None, da: float, db: float) -> dict[str, Any]:
    delta = b - a if a is not None and b is not None else None
    pct = delta / abs(a) * 100 if delta is not None and a else None
    per_s = [v / d if v is not None and d > 0 else None for v, d in ((a, da), (b, db))]
    return {"name": name, "a": a, "b": b, "delta": delta, "change_percent": pct,
            "a_per_s": per_s[0], "b_per_s": per_s[1]}


def compare_trees(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any] | None:
    """``tree`` of ``perftui diff --json``; None unless both sessions followed a tree."""
    ta, tb = a.get("tree"), b.get("tree")
    if not isinstance(ta, dict) or not isinstance(tb, dict):
        return None
    da, db = (float(r.get("duration_s") or 0.0) for r in (a, b))
    names = [{command_name(str(p.get("command", ""))) for p in r.get("processes") or []
              if p.get("pid") != r.get("pid")} for r in (a, b)]
    return {"totals": [_row(k, ta.get(k), tb.get(k), da, db) for k in TOTALS],
            "commands": {"only_a": sorted(names[0] - names[1]),
                         "only_b": sorted(names[1] - names[0])}}
