"""py-spy's ``--format raw`` output (collapsed stacks) with ``--threads``, parsed.

One record per distinct stack: frames root first, ``;``-separated, then a space and a count::

    process 12:"python app.py";thread (4711): worker;run (app.py:9);hot (app.py:3) 81

Process frames come only with ``--subprocesses`` (outermost parent first) and quote the
command line as is, so it may hold ``;``, ``"`` and even newlines (``python -c`` scripts):
records are therefore split where a count ends a line and a ``process``/``thread`` frame
starts the next, not at every newline.  The thread frame is ``thread (TID)`` or
``thread (TID): NAME``; TID is the OS thread id on Linux.  A frame is ``function
(file:line)``, ``function (file)`` or a bare name (native frames: ``0x7f.. (lib.so)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_START = r'(?:process \d+:"|thread \()'
_RECORD_END = re.compile(rf" (\d+)\n(?={_START}|\Z)")
_PROCESS = re.compile(rf'process (\d+):"(.*?)";(?={_START})', re.DOTALL)
_THREAD = re.compile(r"thread \((0x[0-9A-Fa-f]+|\d+)\)(?:: ([^;]*))?(?:;|$)")


@dataclass(frozen=True)
class RawStack:
    tid: int
    thread_name: str | None
    pid: int | None  # the innermost process frame's pid, with --subprocesses
    frames: tuple[str, ...]  # root first
    count: int


def parse_record(stack: str, count: int) -> RawStack:
    """One record: the stack text (without its count) and the count."""
    pos, pid = 0, None
    while (proc := _PROCESS.match(stack, pos)) is not None:
        pid, pos = int(proc.group(1)), proc.end()
    tid, name = 0, None
    thread = _THREAD.match(stack, pos)
    if thread is not None:
        tid, name, pos = int(thread.group(1), 0), thread.group(2), thread.end()
    rest = stack[pos:]
    return RawStack(tid, name, pid, tuple(rest.split(";")) if rest else (), count)


def parse(text: str) -> list[RawStack]:
    if text and not text.endswith("\n"):
        text += "\n"
    out: list[RawStack] = []
    start = 0
    for m in _RECORD_END.finditer(text):
        stack = text[start:m.start()]
        start = m.end()
        if stack:
            out.append(parse_record(stack, int(m.group(1))))
    return out
