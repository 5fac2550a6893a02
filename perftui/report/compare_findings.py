"""The findings part of a diff: which findings are new in B, gone in B, and worse in B.

Findings are matched across the two runs by kind and subject (path, remote, syscall, thread
name...; never a thread id or an address, which differ between runs).  Worse: B's main
figure above A's by more than the threshold.  Findings do not count as regressions (the
exit status): they say what to look at, the metrics say whether it got worse."""

from __future__ import annotations

from typing import Any

from perftui.findings.base import match_key, rank


def _by_key(report: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    out: dict[tuple[str, ...], dict[str, Any]] = {}
    for f in report.get("findings") or []:
        key = match_key(str(f.get("kind")), f.get("where") or {}, f.get("subject") or ())
        if key not in out or rank(f.get("severity", "")) > rank(out[key].get("severity", "")):
            out[key] = f
    return out


def _row(f: dict[str, Any], a: float | None, b: float | None) -> dict[str, Any]:
    return {"kind": f.get("kind"), "severity": f.get("severity"), "summary": f.get("summary"),
            "where": f.get("where") or {}, "figure": (f.get("evidence") or {}).get("figure"),
            "a": a, "b": b}


def compare_findings(a: dict[str, Any], b: dict[str, Any], threshold: float) -> dict[str, Any]:
    fa, fb = _by_key(a), _by_key(b)
    new = [_row(f, None, f.get("figure")) for k, f in fb.items() if k not in fa]
    gone = [_row(f, f.get("figure"), None) for k, f in fa.items() if k not in fb]
    worse = []
    for key, f in fb.items():
        old = fa.get(key)
        if old is None:
            continue
        va, vb = old.get("figure"), f.get("figure")
        if isinstance(va, (int, float)) and isinstance(vb, (int, float)) \
                and vb > va * (1 + threshold / 100) and vb > va:
            worse.append(_row(f, va, vb))
    order = lambda r: (-rank(str(r["severity"])), str(r["kind"]))  # noqa: E731
    return {"new": sorted(new, key=order), "gone": sorted(gone, key=order),
            "worse": sorted(worse, key=order)}
