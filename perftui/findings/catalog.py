"""Every kind of finding, in the order they are judged: an explicit list, no registry (a new
kind is one module in perftui.findings.kinds and one more entry here)."""

from __future__ import annotations

from types import ModuleType

from perftui.findings.kinds import (
    chatty_io,
    connection_churn,
    context_switch_storm,
    gil_contention,
    high_system_time,
    lock_contention,
    memory_growth,
    polling,
    repeated_open,
    small_io,
    stat_storm,
    syscall_errors,
)

KINDS: tuple[ModuleType, ...] = (
    repeated_open, stat_storm, small_io, polling, memory_growth, lock_contention,
    gil_contention, connection_churn, chatty_io, syscall_errors, high_system_time,
    context_switch_storm)
# Kinds that judge a series' steadiness themselves: not also judged over parts of a window.
WHOLE_WINDOW = frozenset(k.KIND for k in KINDS if getattr(k, "WHOLE_WINDOW", False))
