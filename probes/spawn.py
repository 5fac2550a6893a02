"""How perftui starts its own children: an interpreter, code and environment it chose.

perftui often runs as root from whatever directory the on-call engineer happens to be in.
``python -m X`` puts that directory first on ``sys.path``, so a ``probes/__init__.py``
planted there by another user would run as root.  Every child perftui starts (probes,
compile checks, py-spy, helpers) goes through here: Python isolated (``-I``: no cwd, no
user site, no PYTHON* variables), the code root named explicitly, cwd ``/``, and only
the environment variables on an allow-list.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path


def _code_root() -> str:
    """The sys.path entry the top package of this code was loaded from: the only place a
    child's imports may come from besides the interpreter's own site-packages.  Found from
    the loaded top package, not from this file: a checkout links the probes folder into it
    and a wheel nests it there, so this file's own parents say nothing."""
    top = sys.modules[__name__.partition(".")[0]]
    return str(Path(str(top.__file__)).resolve().parent.parent)


CODE_ROOT = _code_root()

# Variables a child may inherit.  LD_*, PYTHON*, and everything else are dropped.
KEEP_ENV = ("PATH", "HOME", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ",
            "TMPDIR", "BCC_KERNEL_SOURCE")
KEEP_PREFIXES = ("PERFTUI_",)
SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Run a module the way ``-m`` does, with sys.path[0] our code root instead of the cwd.
_BOOT = ("import runpy, sys; sys.path.insert(0, sys.argv[1]); m = sys.argv[2]; "
         "del sys.argv[1:3]; runpy.run_module(m, run_name='__main__', alter_sys=True)")
CHILD_CWD = "/"


def python_argv(module: str, *args: str) -> list[str]:
    """argv that runs ``module`` as ``__main__`` in an isolated, unbuffered interpreter."""
    return [sys.executable, "-I", "-u", "-c", _BOOT, CODE_ROOT, module, *args]


def child_env(extra: Mapping[str, str] | None = None,
              base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The allow-listed part of ``base`` (default: os.environ), plus ``extra``."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items()
           if k in KEEP_ENV or k.startswith(KEEP_PREFIXES)}
    env.setdefault("PATH", SAFE_PATH)
    env.update(extra or {})
    return env


def running_as_root() -> bool:
    return os.geteuid() == 0


def untrusted_reason(path: str) -> str:
    """Why root must not run or read ``path`` as code ("" when it may).

    The file must be owned by root and writable by no one else, and so must the directory
    holding it (unless that directory is sticky, like /tmp: then only root may replace a
    root-owned file in it).  Only meaningful when perftui runs as root.
    """
    try:
        st = os.stat(path)
        parent = os.stat(os.path.dirname(os.path.abspath(path)) or "/")
    except OSError as exc:
        return f"{path}: {exc.strerror or exc}"
    if st.st_uid != 0:
        return f"{path} is owned by uid {st.st_uid}, not root"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{path} is writable by group or others"
    if (parent.st_uid != 0 or parent.st_mode & (stat.S_IWGRP | stat.S_IWOTH)) \
            and not parent.st_mode & stat.S_ISVTX:
        return f"{os.path.dirname(os.path.abspath(path))} can be changed by others than root"
    return ""


def temp_prefix(probe: str, pid: int | None = None) -> str:
    """The prefix of a probe's temporary directory: it names the probe's pid, so the parent
    that reaps a probe killed before its cleanup can find and remove what it left."""
    return f"perftui-{probe}-{os.getpid() if pid is None else pid}-"


def remove_temp_of(pid: int) -> list[str]:
    """Remove the temporary directories a (dead) probe process ``pid`` left; their paths.
    Only directories of this user, never through a symlink."""
    base = tempfile.gettempdir()
    removed: list[str] = []
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    marker = f"-{pid}-"
    for name in names:
        if not name.startswith("perftui-") or marker not in name:
            continue
        path = os.path.join(base, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
