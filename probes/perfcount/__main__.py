"""``python -m perftui.probes.perfcount --pid N``: the eBPF probe forced onto its perf_event
source."""

from __future__ import annotations

import sys

from perftui.probes.ebpf.__main__ import run

if __name__ == "__main__":
    run([*sys.argv[1:], "--source", "perf"])
