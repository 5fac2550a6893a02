"""The findings as the UI shows them: the findings line under the header and the findings
screen (``!``).  The engine (perftui.findings) decides what holds; this only orders and
words it for a narrow line."""

from __future__ import annotations

from dataclasses import dataclass

from perftui.findings import Finding, rank
from perftui.units import fmt_byte_rate, fmt_bytes

# Where the evidence of each kind is shown: the pane to focus (and zoom), or "syscall" for
# the syscall detail of the finding's syscall.
EVIDENCE_PANE = {
    "repeated_open": "fileio", "stat_storm": "syscalls", "small_io": "fileio",
    "polling": "syscall", "memory_growth": "memory", "lock_contention": "syscall",
    "gil_contention": "syscall", "connection_churn": "net", "chatty_io": "net",
    "syscall_errors": "syscall", "high_system_time": "cpu", "context_switch_storm": "cpu",
}


@dataclass(frozen=True)
class FindingsView:
    rows: tuple[Finding, ...] = ()  # ongoing first, most severe first; then the ended ones
    missing: tuple[tuple[str, str], ...] = ()  # (kind, why its data is missing)

    @property
    def ongoing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.rows if f.ended is None)

    @property
    def top(self) -> Finding | None:
        """The most severe ongoing finding (the engine's order puts it first)."""
        ongoing = self.ongoing
        return max(ongoing, key=lambda f: (rank(f.severity), f.figure)) if ongoing else None


def evidence_target(f: Finding) -> tuple[str, str | None]:
    """(pane id or "syscall", the syscall to open) for ``enter`` on a finding."""
    pane = EVIDENCE_PANE.get(f.kind, "syscalls")
    syscall = f.where.get("syscall")
    if pane == "syscall":
        if isinstance(syscall, str) and syscall:
            return "syscall", syscall
        if f.kind in ("lock_contention", "gil_contention"):
            return "syscall", "futex"
        return "syscalls", None
    return pane, None


def evidence_lines(f: Finding) -> list[tuple[str, str]]:
    """The evidence's figures as (name, value) text, the window first."""
    out: list[tuple[str, str]] = []
    window = f.evidence.get("window_s")
    if isinstance(window, (int, float)):
        out.append(("window", f"{window:.0f} s"))
    for name, value in f.evidence.items():
        if name in ("window_s", "from_ts", "to_ts", "figure"):
            continue
        out.append((name.replace("_", " "), _text(value, name)))
    return out


def _text(value: object, name: str = "") -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if name.endswith("bytes_per_s"):
            return fmt_byte_rate(float(value))
        if name.endswith("bytes"):
            return fmt_bytes(value)
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value[:5]) + (" …" if len(value) > 5 else "")
    return str(value)
