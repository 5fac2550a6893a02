"""Frame sources: where the model's frames come from (live probes, a session file, a list)."""

from perftui.sources.base import FrameSink, Source

__all__ = ["FrameSink", "Source"]
