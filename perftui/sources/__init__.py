"""(1) Frames in: live probes, a session file played back, a canned list."""

from perftui.frames import FrameSink
from perftui.sources.base import FrameSource, ProbeControl, Replay, Source, Transport

__all__ = ["FrameSink", "FrameSource", "ProbeControl", "Replay", "Source", "Transport"]
