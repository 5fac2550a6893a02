"""(2) Frames at rest: the session file format, writer, reader, index, player, and the tee."""

from perftui.session.format import SessionError, SessionHeader
from perftui.session.reader import SessionReader, open_session
from perftui.session.recorder import SessionRecorder, default_name, new_header

__all__ = ["SessionError", "SessionHeader", "SessionReader", "SessionRecorder",
           "default_name", "new_header", "open_session"]
