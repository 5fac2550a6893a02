"""The stacks probe: native (user + kernel) stacks of any process, sampled by a BPF program on
the software cpu-clock event and symbolized here from the target's ELF files.

Run it as ``python -m perftui.probes.stacks --pid N`` (root); it writes the frames described in the
``stacks`` section of docs/frames.md.
"""

VERSION = "0.1.0"
