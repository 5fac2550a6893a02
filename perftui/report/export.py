"""``perftui export``: a session as the report JSON, or its stacks as folded text or a
speedscope file.

Stacks are the stack model's (Python's from py-spy, else the native sampler's: a session of
a C program exports its native stacks) and the two stack formats are its views
(perftui.views.stacks ``to_folded``/``to_speedscope``): replaying the session into a model
is all this module does.  A session without stack samples fails with NoStacks.
"""

from __future__ import annotations

from perftui.model.model import Model
from perftui.model.stacks import Window
from perftui.report.jsonout import dumps
from perftui.report.load import resolve_window, summarize
from perftui.session.checkpoints import apply_quietly
from perftui.session.format import SessionError
from perftui.session.reader import SessionReader
from perftui.views.stacks import samples_of, to_folded, to_speedscope

FORMATS = ("json", "folded", "speedscope")


class NoStacks(SessionError):
    def __init__(self) -> None:
        super().__init__("this session has no stack samples")


def load_model(path: str, start: float | None,
               end: float | None) -> tuple[Model, float | None, float | None, list[str]]:
    """The model after every frame up to ``end``, the window as timestamps, and warnings."""
    with SessionReader(path) as reader:
        a, b = resolve_window(reader, start, end)
        model = Model()
        for stream, _raw, frame in reader.frames():
            ts = frame.get("ts")
            if b is not None and isinstance(ts, (int, float)) and ts > b:
                break
            apply_quietly(model, stream, frame)
        return model, a, b, list(reader.warnings)


def export(path: str, fmt: str, start: float | None = None,
           end: float | None = None) -> tuple[str, list[str]]:
    """The exported text and the reader's warnings."""
    if fmt == "json":
        report, warnings = summarize(path, start, end)
        text, bad = dumps(report)
        return text + "\n", warnings + bad
    if fmt not in FORMATS:
        raise SessionError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    model, a, b, warnings = load_model(path, start, end)
    window = Window(t0=a, t1=b)
    found = samples_of(model, window)  # Python's stacks, else native ones
    if found is None:
        raise NoStacks
    stacks = found[1]
    if fmt == "folded":
        return str(to_folded(stacks, window)), warnings
    text, bad = dumps(to_speedscope(stacks, window, name=path), indent=None)
    return text + "\n", warnings + bad
