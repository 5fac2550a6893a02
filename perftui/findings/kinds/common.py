"""Helpers the kinds share: severity from thresholds, building a Finding, numbers in words."""

from __future__ import annotations

from typing import Any

from perftui.findings.base import CRITICAL, INFO, WARNING, Finding
from perftui.findings.facts import Span
from perftui.units import fmt_bytes, fmt_per_s

READ_CALLS = ("read", "readv", "pread64", "preadv", "preadv2", "recvfrom", "recvmsg")


def level(value: float, info: float, warning: float, critical: float) -> str | None:
    """The severity ``value`` reaches, None below ``info``."""
    if value >= critical:
        return CRITICAL
    if value >= warning:
        return WARNING
    if value >= info:
        return INFO
    return None


def finding(kind: tuple[str, str], severity: str, summary: str, span: Span,
            figure: tuple[str, float], evidence: dict[str, Any],
            where: dict[str, Any], subject: tuple[str, ...] = ()) -> Finding:
    """A Finding; ``kind``: (its kind, its advice); ``figure``: (name, value) of its main
    number; ``subject``: the ``where`` fields that say which problem it is."""
    ev = {"figure": figure[0], figure[0]: round(figure[1], 3), **evidence,
          "window_s": round(span.seconds, 3), "from_ts": span.base.ts, "to_ts": span.now.ts}
    return Finding(kind[0], severity, summary, ev, {k: v for k, v in where.items() if v},
                   kind[1], figure[1], subject=subject)


def thread_where(span: Span, tid: int | None) -> dict[str, Any]:
    """``thread`` (name and id) and, when stacks name one, ``function`` for thread ``tid``."""
    if tid is None:
        return {}
    out: dict[str, Any] = {"thread": span.thread_name(tid), "tid": tid}
    fn = span.function(tid)
    if fn:
        out["function"] = fn
    return out


def top_thread(span: Span, syscalls: tuple[str, ...], column: int = 0) -> int | None:
    """The thread with the most calls (column 0) or errors (2) of ``syscalls`` in the span,
    from the per-thread rows."""
    best: dict[int, float] = {}
    for (tid, name), d in span.table("bythread").items():
        if name in syscalls:
            best[tid] = best.get(tid, 0.0) + d[column]
    return max(best, key=lambda t: best[t]) if best and max(best.values()) > 0 else None


def rate(value: float) -> str:
    return fmt_per_s(value)


def size(value: float) -> str:
    return fmt_bytes(value)


def pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 0.0


__all__ = ["CRITICAL", "INFO", "WARNING", "finding", "level", "pct", "rate", "size",
           "thread_where", "top_thread"]
