"""py-spy's error output turned into one sentence a user can act on, and a kind the probe acts on.

py-spy (0.4) prints ``Error: <message>`` plus, with RUST_BACKTRACE set, a Rust backtrace; when
it lacks ptrace rights and is not root it prints only ``Permission Denied: ...sudo...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kinds: what the probe does about each.
DENIED = "denied"  # no ptrace rights: stop, nothing will change that
NOT_PYTHON = "not_python"  # stop (after a grace period for a process still starting)
UNSUPPORTED = "unsupported"  # stop
GONE = "gone"  # the target went away: send ``gone``
OTHER = "other"  # anything else: warn, try the next chunk

_RULES: tuple[tuple[str, str, str], ...] = (
    (r"Permission Denied|Operation not permitted|Permission denied \(os error",
     DENIED, "py-spy may not ptrace the target: run perftui as root or as the target's user "
     "(and check kernel.yama.ptrace_scope, or the container's CAP_SYS_PTRACE)"),
    (r"Unsupported version of Python: ?(\S*)",
     UNSUPPORTED, "py-spy{pyspy} does not support Python {0}: upgrade py-spy "
     "(pip install -U py-spy)"),
    (r"Failed to find python version|Failed to find a python interpreter"
     r"|Failed to find _PyRuntime|Failed to parse python binary",
     NOT_PYTHON, "not a Python process (py-spy found no CPython interpreter in it)"),
    (r"Failed to get process executable name|Failed to open process|No such process"
     r"|Failed to get virtual memory maps", GONE, "the target is gone"),
)


@dataclass(frozen=True)
class Failure:
    kind: str
    sentence: str  # for the user
    detail: str  # py-spy's own first line, for logs


def first_error_line(output: str) -> str:
    """py-spy's message without the backtrace: the ``Error:`` line, else the first line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("Error:", "Permission Denied")):
            return line
    for line in lines:
        if not line.startswith("py-spy>"):
            return line
    return ""


def classify(output: str, pyspy_version: str = "") -> Failure:
    """What a failed py-spy run means, from everything it printed."""
    detail = first_error_line(output)
    # The ``Caused by`` lines carry the OS error (e.g. EPERM under an ``Error: Failed to ...``).
    for pattern, kind, sentence in _RULES:
        m = re.search(pattern, output)
        if m:
            args = [g or "?" for g in m.groups()]
            version = f" {pyspy_version}" if pyspy_version else ""
            return Failure(kind, sentence.format(*args, pyspy=version), detail)
    return Failure(OTHER, f"py-spy failed: {detail or 'no message'}", detail)
