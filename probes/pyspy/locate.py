"""Where the py-spy binary is, or why there is none."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping

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
            return forced
        raise NotFound(f"py-spy not found: {ENV}={forced} is not an executable file; "
                       f"{INSTALL}, or fix {ENV}")
    here = os.path.join(exe_dir or os.path.dirname(sys.executable), "py-spy")
    if os.path.isfile(here) and os.access(here, os.X_OK):
        return here
    on_path = shutil.which("py-spy", path=env.get("PATH", os.defpath))
    if on_path is not None:
        return on_path
    raise NotFound(f"py-spy not found (not next to {sys.executable}, not on PATH); {INSTALL}")

