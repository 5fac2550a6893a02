"""Every file perftui writes (recordings, exports) is created here: new, 0600, no links.

perftui often runs as root in shared directories such as /tmp, and what it writes holds
command lines and paths.  So a file is created with O_EXCL (an existing name, a symlink
included, is refused: nothing is overwritten and no link is followed) and mode 0600.
``force`` replaces an existing regular file by unlinking it first, never by writing through
whatever the name points at.
"""

from __future__ import annotations

import os
import stat

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class OutputError(Exception):
    """A file that cannot or must not be created; the message says which and why."""


def create_private(path: str, *, force: bool = False) -> int:
    """A file descriptor of a new file at ``path`` (mode 0600), or OutputError."""
    try:
        fd = os.open(path, _FLAGS, 0o600)
    except FileExistsError:
        if not force:
            raise OutputError(f"{path} already exists") from None
        fd = _replace(path)
    except OSError as exc:
        raise OutputError(f"cannot create {path}: {exc.strerror}") from None
    os.fchmod(fd, 0o600)
    return fd


def _replace(path: str) -> int:
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise OutputError(f"cannot create {path}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
        raise OutputError(f"{path} is {kind}: not replaced, even with --force")
    try:
        os.unlink(path)
        return os.open(path, _FLAGS, 0o600)  # a name re-created in between is refused
    except OSError as exc:
        raise OutputError(f"cannot replace {path}: {exc.strerror}") from None


def write_private(path: str, text: str, *, force: bool = False) -> None:
    """``text`` (UTF-8) to a new private file at ``path``."""
    with os.fdopen(create_private(path, force=force), "w", encoding="utf-8") as f:
        f.write(text)
