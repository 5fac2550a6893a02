"""The vocabulary every layer shares: a frame, a sink of frames, stream names, probe states.

A frame is one decoded msgpack map from a probe (docs/frames.md); ``k`` names its kind and
``ts`` its wall-clock time.  A stream is the name of the probe (or the app) that sent it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from perftui.probes.wire import SCHEMA_VERSION

Frame = dict[str, Any]

# Called with (stream name, raw msgpack bytes of the frame, decoded frame), from any thread.
FrameSink = Callable[[str, bytes, Frame], None]

# Streams: one per probe, plus the app's own frames (its CPU, the target's exit status).
PROCFS = "procfs"
PYSPY = "pyspy"
STACKS = "stacks"
EBPF = "ebpf"
PERFCOUNT = "perfcount"
APP_STREAM = "perftui"
SYSCALL_STREAMS = (EBPF, PERFCOUNT)  # the same frames: perfcount is ebpf on perf counters
# Frames that carry what a probe measured (the span a probe covered runs over these).
DATA_KINDS = ("sample", "sys", "chunk")
STACK_STREAMS = (PYSPY, STACKS)

# A probe's state, as the header shows it.
LIVE = "live"
STARTING = "starting"
RESTARTING = "restarting"
FAILED = "failed"
FINISHED = "finished"
UNAVAILABLE = "unavailable"
STALE = "stale"  # shown, never sent: live, but silent past its deadline (ProbeStatus.silence)


class SchemaError(ValueError):
    """A stream speaks a schema version this perftui cannot read."""


def check_schema(stream: str, hello: Frame) -> None:
    """Raise SchemaError unless ``hello`` speaks the schema this perftui reads."""
    schema = hello.get("schema")
    if schema != SCHEMA_VERSION:
        raise SchemaError(f"{stream} speaks frame schema {schema}; this perftui reads "
                          f"schema {SCHEMA_VERSION}")
