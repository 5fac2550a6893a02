"""Reading a session file into a summary (the data behind report, diff and export json)."""

from __future__ import annotations

from typing import Any

from perftui.frames import SchemaError
from perftui.report.summary import Summarizer
from perftui.session.format import SessionError
from perftui.session.reader import SessionReader

EPOCH_FLOOR = 1e9  # a --from/--to value this large is a timestamp, not an offset


def resolve_window(reader: SessionReader, start: float | None,
                   end: float | None) -> tuple[float | None, float | None]:
    """Offsets in seconds from the session's start (negative: back from its end), or epoch
    timestamps, to timestamps."""
    if all(v is None or v >= EPOCH_FLOOR for v in (start, end)):
        return start, end
    index = reader.index()
    first, last = index.start_ts, index.end_ts
    if first is None or last is None:
        return None, None

    def ts(v: float | None) -> float | None:
        if v is None or v >= EPOCH_FLOOR:
            return v
        return first + v if v >= 0 else last + v

    a, b = ts(start), ts(end)
    if a is not None and b is not None and b < a:
        raise SessionError(f"the window ends before it starts ({start} .. {end})")
    return a, b


def summarize(path: str, start: float | None = None,
              end: float | None = None) -> tuple[dict[str, Any], list[str]]:
    """The report dict of ``path`` (optionally a window of it) and the reader's warnings."""
    with SessionReader(path) as reader:
        a, b = resolve_window(reader, start, end)
        summary = Summarizer(a, b)
        bad = 0
        for stream, _raw, frame in reader.frames():
            try:
                if not summary.apply(stream, frame):
                    break
            except SchemaError as exc:
                raise SessionError(f"{path}: {exc}") from None
            except Exception:  # one malformed frame must not lose the whole report
                bad += 1
        warnings = list(reader.warnings)
    if bad:
        warnings.append(f"{path}: {bad} malformed frames skipped")
    return summary.result(), warnings
