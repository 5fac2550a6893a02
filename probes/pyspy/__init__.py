"""The pyspy probe: Python stacks of one process, sampled by py-spy in short back-to-back chunks.

Run it as ``python -m perftui.probes.pyspy --pid N``; it writes the frames described in the
``pyspy`` section of docs/frames.md.
"""

VERSION = "0.1.0"
