"""Probe programs: each runs as its own process and writes msgpack frames on stdout.

Probes depend only on the standard library, psutil and msgpack (never on the app), so one can
run anywhere a pipe reaches: ``python -m perftui.probes.procfs --pid N``.
"""
