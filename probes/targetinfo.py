"""What the probe (and the app's probe selection) can tell about a target from /proc alone:
whether it looks like CPython and which version, whether it is still there, how old it is."""

from __future__ import annotations

import os
import re

_PYTHON_EXE = re.compile(r"^python(\d+(?:\.\d+)?)?[a-z]*$")  # python, python3, python3.11d
_LIBPYTHON = re.compile(r"/libpython(\d+\.\d+)[a-z]*\.so")


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def python_version(pid: int) -> str | None:
    """``"3.11"`` (or ``""`` when the version is not in the names) if ``pid`` looks like
    CPython, else None.

    Looked at in order: the executable's name (needs ptrace access; a venv's python is a
    symlink the kernel has already resolved), a libpython mapped in memory (embedded
    interpreters such as uwsgi), then argv[0] and comm, which anyone may read.
    """
    try:
        exe = os.path.basename(os.readlink(f"/proc/{pid}/exe")).removesuffix(" (deleted)")
        m = _PYTHON_EXE.match(exe)
        if m:
            return m.group(1) if m.group(1) and "." in m.group(1) else _maps_version(pid) or ""
    except OSError:
        pass
    lib = _maps_version(pid)
    if lib is not None:
        return lib
    names = []
    try:
        argv0 = _read(f"/proc/{pid}/cmdline").split(b"\0", 1)[0]
        names.append(os.path.basename(argv0.decode("utf-8", "replace")))
    except OSError:
        pass
    try:
        names.append(_read(f"/proc/{pid}/comm").decode("utf-8", "replace").strip())
    except OSError:
        pass
    for name in names:
        m = _PYTHON_EXE.match(name)
        if m:
            return m.group(1) if m.group(1) and "." in m.group(1) else ""
    return None


def file_python_version(path: str) -> str | None:
    """Like ``python_version``, for a command not started yet (perftui holds it before its
    exec): the executable's real name, the interpreter a script's ``#!`` line names
    (``env python3`` too), or a libpython it links against."""
    try:
        real = os.path.realpath(path)
        with open(real, "rb") as f:
            head = f.read(1 << 20)  # an ELF's dynamic strings sit near its start
    except OSError:
        return None
    m = _PYTHON_EXE.match(os.path.basename(real))
    if m:
        return m.group(1) if m.group(1) and "." in m.group(1) else ""
    if head.startswith(b"#!"):
        words = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").split()
        if words and os.path.basename(words[0]) == "env":
            words = [w for w in words[1:] if not w.startswith("-")]
        if words:
            m = _PYTHON_EXE.match(os.path.basename(words[0]))
            if m:
                return m.group(1) if m.group(1) and "." in m.group(1) else ""
        return None
    if head.startswith(b"\x7fELF"):
        lib = re.search(rb"libpython(\d+\.\d+)[a-z]*\.so", head)
        if lib:
            return lib.group(1).decode()
    return None


def _maps_version(pid: int) -> str | None:
    try:
        maps = _read(f"/proc/{pid}/maps").decode("utf-8", "replace")
    except OSError:
        return None
    m = _LIBPYTHON.search(maps)
    return m.group(1) if m else None


def state(pid: int) -> str | None:
    """The one-letter state of the process (``R``, ``S``, ``Z``...), None when it is gone."""
    try:
        stat = _read(f"/proc/{pid}/stat")
    except OSError:
        return None
    return stat[stat.rfind(b")") + 2:][:1].decode()


def gone_reason(pid: int) -> str | None:
    """``exited`` or ``zombie`` when the target is no longer running Python code, else None."""
    s = state(pid)
    if s is None:
        return "exited"
    if s in ("Z", "X"):
        return "zombie"
    return None


def age(pid: int) -> float | None:
    """Seconds since the process started, None when it is gone."""
    try:
        stat = _read(f"/proc/{pid}/stat")
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
    except (OSError, ValueError):
        return None
    fields = stat[stat.rfind(b")") + 2:].split()
    start_ticks = int(fields[19])  # field 22 of stat, counted from after the comm
    return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))

