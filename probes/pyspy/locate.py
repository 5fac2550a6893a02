"""Where the py-spy binary is, or why there is none."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping

from perftui.probes.spawn import running_as_root, untrusted_reason

ENV = "PERFTUI_PYSPY"
INSTALL = "install it with: pip install py-spy"


class NotFound(Exception):
    """No usable py-spy; the message says where it looked and how to get one."""


def find_pyspy(env: Mapping[str, str] | None = None, exe_dir: str | None = None) -> str:
    """The py-spy to run.

    ``$PERFTUI_PYSPY`` when set (and then nothing else: it is how a user, or a test, says
    which one).  Otherwise the copy pip put next to this interpreter, before PATH: a PATH hit
    is often a pyenv shim, a shell script that costs a bash and a pyenv per chunk.
    """
    if env is None:
        env = os.environ
    forced = env.get(ENV)
    if forced:
        if os.path.isfile(forced) and os.access(forced, os.X_OK):
            _refuse_untrusted(forced, f"{ENV}={forced}")
            return forced
        raise NotFound(f"py-spy not found: {ENV}={forced} is not an executable file; "
                       f"{INSTALL}, or fix {ENV}")
    here = os.path.join(exe_dir or os.path.dirname(sys.executable), "py-spy")
    if os.path.isfile(here) and os.access(here, os.X_OK):
        return here
    on_path = shutil.which("py-spy", path=env.get("PATH", os.defpath))
    if on_path is not None:
        _refuse_untrusted(on_path, f"{on_path} (from PATH)")
        return on_path
    raise NotFound(f"py-spy not found (not next to {sys.executable}, not on PATH); {INSTALL}")


def _refuse_untrusted(path: str, what: str) -> None:
    """Root runs py-spy with ptrace rights over the target: never one another user can swap."""
    if running_as_root():
        why = untrusted_reason(path)
        if why:
            raise NotFound(f"py-spy at {what} not used as root: {why}; "
                           f"{INSTALL}, or chown root and chmod go-w it")

