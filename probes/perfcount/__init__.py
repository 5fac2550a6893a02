"""Fallback for the eBPF probe: per-syscall counts from perf_event tracepoint counters.

Used by ``python -m perftui.probes.ebpf`` when bcc cannot run (not root, bcc or kernel headers
missing, PERFTUI_NO_BCC=1); ``python -m perftui.probes.perfcount --pid N`` forces it.  The stream is
the ``ebpf`` stream either way; its ``caps`` frame says ``source: "perf"``.
"""
