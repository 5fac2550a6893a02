"""(3) Frames folded: the UI-free, mutable state of a watched process (counters in, rates and
bounded series out).  Read out through perftui.views."""

from perftui.frames import APP_STREAM, SchemaError
from perftui.model.model import Model

__all__ = ["APP_STREAM", "Model", "SchemaError"]
