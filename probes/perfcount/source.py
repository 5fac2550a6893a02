"""The ``sys`` frame from perf_event counters: call counts per syscall and per thread only."""

from __future__ import annotations

from typing import Any

from perftui.probes import tracefs
from perftui.probes.ebpf.strings import Interner
from perftui.probes.ebpf.threads import Changes

from .counter import PerfCounters

Warn = tuple[str, str]


def syscall_events() -> list[tuple[str, int]]:
    """(name, tracepoint id) of every ``syscalls:sys_enter_*`` event; raises OSError."""
    return [(tracefs.user_name(name), tracefs.event_id("syscalls", f"sys_enter_{name}"))
            for name in tracefs.syscall_names()]


class PerfSource:
    def __init__(self, pid: int, strings: Interner, children: bool = False) -> None:
        """Raises OSError when tracefs is unreadable or perf_event_open is refused.
        ``children``: count the tree (inherited counters), with no split per thread."""
        self._counters = PerfCounters(pid, syscall_events(), inherit=children)
        self._s = strings
        self._changes = Changes()

    def read(self) -> tuple[dict[str, Any], list[Warn]]:
        warns = [("syscalls", msg) for msg in self._counters.refresh()]
        counts, per_thread = self._counters.read()
        names = self._counters.names
        # Each thread has its own counter group already: the split costs no extra read.
        pairs = (((tid, i), (n,)) for tid, row in per_thread.items()
                 for i, n in enumerate(row) if n)
        # Inherited groups count what their thread created too: no per-thread rows to give.
        rows = [] if self._counters.inherit else [
            [tid, self._s.id(names[i]), calls, None, None, first]
            for (tid, i), (calls,), first in self._changes.diff(pairs)]
        return {"calls": {self._s.id(name): n for name, n in counts.items()},
                "bythread": rows}, warns

    def close(self) -> None:
        self._counters.close()
