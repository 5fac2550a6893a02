"""py-spy's ``--format raw`` output (collapsed stacks) with ``--threads``, parsed.

One line per distinct stack: frames root first, ``;``-separated, then a space and a count::

    process 12:"python app.py";thread (4711): worker;run (app.py:9);hot (app.py:3) 81

Process frames come only with ``--subprocesses`` (outermost parent first).  The thread frame
is ``thread (TID)`` or ``thread (TID): NAME``; TID is the OS thread id on Linux.  A frame is
``function (file:line)``, ``function (file)`` or a bare name (native frames: ``0x7f.. (lib.so)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_THREAD = re.compile(r"^thread \((0x[0-9A-Fa-f]+|\d+)\)(?:: (.*))?$")
_PROCESS = re.compile(r'^process (\d+):"')


@dataclass(frozen=True)
class RawStack:
    tid: int
    thread_name: str | None
    pid: int | None  # the innermost process frame's pid, with --subprocesses
    frames: tuple[str, ...]  # root first
    count: int


def _split(stack: str) -> list[str]:
    """Split on ``;`` but keep a process frame whole: its quoted command line may hold ``;``."""
    parts = stack.split(";")
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if _PROCESS.match(part):
            while not part.endswith('"') and i + 1 < len(parts):
                i += 1
                part += ";" + parts[i]
        out.append(part)
        i += 1
    return out


def parse_line(line: str) -> RawStack | None:
    """One line of raw output, or None for a line that is not a stack."""
    stack, _, count_text = line.rstrip("\n").rpartition(" ")
    if not stack or not count_text.isdigit():
        return None
    parts = _split(stack)
    pid: int | None = None
    tid, name = 0, None
    rest = 0
    while rest < len(parts):
        proc = _PROCESS.match(parts[rest])
        if proc is None:
            break
        pid = int(proc.group(1))
        rest += 1
    if rest < len(parts):
        thread = _THREAD.match(parts[rest])
        if thread is not None:
            tid = int(thread.group(1), 0)
            name = thread.group(2)
            rest += 1
    return RawStack(tid, name, pid, tuple(parts[rest:]), int(count_text))


def parse(text: str) -> list[RawStack]:
    return [s for s in map(parse_line, text.splitlines()) if s is not None]
