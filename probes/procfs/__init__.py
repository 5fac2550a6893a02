"""The procfs probe: samples one process from /proc (threads, memory, I/O, open files, sockets).

Run it as ``python -m perftui.probes.procfs --pid N``; it writes the frames described in the
``procfs`` section of docs/frames.md.
"""

VERSION = "0.1.0"
