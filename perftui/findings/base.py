"""A finding, the severities, and what a kind needs from the model (and why it may lack it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from perftui.findings.facts import Span
from perftui.frames import SYSCALL_STREAMS
from perftui.model.model import Model

INFO, WARNING, CRITICAL = "info", "warning", "critical"
SEVERITIES = (INFO, WARNING, CRITICAL)  # in order


def rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str  # info, warning, critical
    summary: str  # one line, with its numbers
    evidence: dict[str, Any]  # the figures; ``window_s``: the span they are measured over
    where: dict[str, Any]  # thread, path or paths, syscall, function, remote (those known)
    advice: str  # the usual fix, one line
    figure: float  # the main figure (its name: evidence["figure"]), compared across runs
    since: float | None = None  # epoch s it was first seen (held or not)
    ended: float | None = None  # epoch s it was last seen, once it stopped (None: ongoing)

    subject: tuple[str, ...] = ()  # the ``where`` fields that say which problem it is

    @property
    def key(self) -> tuple[str, ...]:
        """Which problem this is, across updates: its kind and its subject (a lock by its
        address, a file by its path and the thread opening it...)."""
        return (self.kind, *(f"{s}={_text(self.where.get(s))}" for s in self.subject))

    @property
    def match_key(self) -> tuple[str, ...]:
        """Which problem this is across runs: addresses differ between runs (and thread ids,
        which are never part of a subject: thread names are)."""
        return match_key(self.kind, self.where, self.subject)


def _text(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def match_key(kind: str, where: dict[str, Any], subject: Any) -> tuple[str, ...]:
    """``Finding.match_key`` of a finding's parts (a report's JSON has them too)."""
    return (kind, *(f"{s}={_text(where.get(s))}" for s in subject if s != "address"))


class Kind(Protocol):
    """A kind is a module with these names (see perftui.findings.kinds)."""

    KIND: str
    NEEDS: tuple[str, ...]  # data it cannot judge without (see ``missing``)
    ADVICE: str

    def detect(self, span: Span) -> list[Finding]: ...


@dataclass
class Data:
    """Which of the data kinds need the model has, and why not."""

    model: Model
    reasons: dict[str, str] = field(default_factory=dict)

    def missing(self, need: str) -> str | None:
        """Why ``need`` is missing, or None when the model has it."""
        if need not in self.reasons:
            self.reasons[need] = _why_missing(self.model, need) or ""
        return self.reasons[need] or None


EBPF_NEEDS = {"syscalls": "syscalls", "errors": "errors", "bythread": "latency",
              "files": "files", "net": "net", "paths": "files", "timeouts": "files",
              "futex": "files"}
EXTRA = ("paths", "timeouts", "futex")  # fields of the sys frame that findings added


def _why_missing(model: Model, need: str) -> str | None:
    if need == "procfs":
        return None if model.process.samples >= 2 else "no procfs samples yet"
    if need == "stacks":
        return None if model.pystacks.slices else "no Python stack samples (py-spy)"
    if need not in EBPF_NEEDS:
        return f"unknown data {need!r}"
    stream = next((s for s in SYSCALL_STREAMS if s in model.probes), None)
    if stream is None:
        return "the eBPF probe is not running (it needs root and bcc)"
    sysm = model.sys
    if sysm.source is None:
        status = model.probes[stream]
        return status.pending() or "the eBPF probe could not count syscalls here"
    if sysm.source != "bpf" and need != "syscalls":
        return "the eBPF probe runs on perf counters here (no bcc): syscall counts only"
    cap = sysm.caps.get(EBPF_NEEDS[need]) or {}
    if not cap.get("ok"):
        return str(cap.get("why") or f"the eBPF probe does not collect {EBPF_NEEDS[need]}")
    if need in EXTRA and sysm.frames and need not in sysm.extra.seen:
        return f"this eBPF probe does not send {need!r} (a recording by an older perftui)"
    return None
