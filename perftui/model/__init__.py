"""The UI-free model: frames in, time series and views out."""

from perftui.model.model import APP_STREAM, Model, SchemaError
from perftui.model.snapshot import Snapshot, build_snapshot

__all__ = ["APP_STREAM", "Model", "SchemaError", "Snapshot", "build_snapshot"]
