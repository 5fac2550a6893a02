"""The eBPF probe: per-syscall counts, latency and errors, per-file and per-connection bytes
of one process, from bcc tracepoint programs (perf_event counters when bcc cannot run).

Run it as ``python -m perftui.probes.ebpf --pid N``; it writes the frames described in the ``ebpf``
section of docs/frames.md.
"""

VERSION = "0.1.0"
