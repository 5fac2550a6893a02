"""Where perftui's two companions are: the py-spy binary and the bcc Python module.

One lookup for the probes, ``perftui doctor`` and the app, so all three judge the same copy,
and each answer says where it came from:

- py-spy is a pip dependency: pip puts its binary in the ``bin`` folder of the environment
  perftui is installed in (a venv, pipx's, a wheel installed anywhere), which is not on PATH
  unless that environment is activated.  So: ``$PERFTUI_PYSPY`` when set, else next to this
  interpreter, else PATH (a PATH hit is often a pyenv shim: a bash and a pyenv per chunk).
- bcc is not on PyPI (the ``bcc`` there is an unrelated project): it is the distribution's
  (Debian and Ubuntu: python3-bpfcc) in the system's dist-packages, which a venv without
  system site packages, pipx's included, does not search.  So: importable by this
  interpreter, else loaded by path from the system's dist-packages.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from perftui.probes.spawn import running_as_root, untrusted_reason

PYSPY_ENV = "PERFTUI_PYSPY"
INSTALL_PYSPY = "install it with: pip install py-spy"
NO_BCC_ENV = "PERFTUI_NO_BCC"  # set to 1 to pretend bcc is absent (tests, degraded-mode demos)
DIST_PACKAGES = Path("/usr/lib/python3/dist-packages")
FIX_BCC = "apt-get install -y --no-install-recommends python3-bpfcc libbpfcc bpfcc-tools"

# Where each was found, in the words doctor shows.
FROM_ENV = f"from ${PYSPY_ENV}"
NEXT_TO_PYTHON = "next to perftui's interpreter"
FROM_PATH = "from PATH"
IMPORTABLE = "importable by perftui's interpreter"
SYSTEM_DIST = "the system's dist-packages, loaded by path"


@dataclass(frozen=True)
class Status:
    ok: bool
    detail: str
    fix: str | None = None  # a shell command that fixes it (None when ok or unfixable)


class NotFound(Exception):
    """No usable py-spy; the message says where it looked and how to get one."""


@dataclass(frozen=True)
class PySpy:
    path: str
    origin: str  # FROM_ENV, NEXT_TO_PYTHON or FROM_PATH


def find_pyspy(env: Mapping[str, str] | None = None, exe_dir: str | None = None) -> PySpy:
    """The py-spy to run, or NotFound.  ``$PERFTUI_PYSPY``, when set, is the only candidate:
    it is how a user, or a test, says which one."""
    if env is None:
        env = os.environ
    forced = env.get(PYSPY_ENV)
    if forced:
        if os.path.isfile(forced) and os.access(forced, os.X_OK):
            _refuse_untrusted(forced, f"{PYSPY_ENV}={forced}")
            return PySpy(forced, FROM_ENV)
        raise NotFound(f"py-spy not found: {PYSPY_ENV}={forced} is not an executable file; "
                       f"{INSTALL_PYSPY}, or fix {PYSPY_ENV}")
    # Not resolved: a venv's python is a link to the system's, and its py-spy is beside
    # the link.  Trusted as the interpreter itself is: root already runs that.
    here = os.path.join(exe_dir or os.path.dirname(sys.executable), "py-spy")
    if os.path.isfile(here) and os.access(here, os.X_OK):
        return PySpy(here, NEXT_TO_PYTHON)
    on_path = shutil.which("py-spy", path=env.get("PATH", os.defpath))
    if on_path is not None:
        _refuse_untrusted(on_path, f"{on_path} (from PATH)")
        return PySpy(on_path, FROM_PATH)
    raise NotFound(f"py-spy not found (not next to {sys.executable}, not on PATH); "
                   f"{INSTALL_PYSPY}")


def _refuse_untrusted(path: str, what: str) -> None:
    """Root runs py-spy with ptrace rights over the target: never one another user can swap."""
    if running_as_root():
        why = untrusted_reason(path)
        if why:
            raise NotFound(f"py-spy at {what} not used as root: {why}; "
                           f"{INSTALL_PYSPY}, or chown root and chmod go-w it")


@dataclass(frozen=True)
class BccLocation(Status):
    path: Path | None = None  # the bcc package directory
    from_dist: bool = False  # only reachable through the system's dist-packages


def _pretend_absent() -> bool:
    return os.environ.get(NO_BCC_ENV, "") not in ("", "0")


def _is_real_bcc(pkg_dir: Path) -> bool:
    # The PyPI "bcc" is unrelated; the real one ships libbcc.py next to __init__.py.
    return (pkg_dir / "libbcc.py").is_file()


def locate_bcc() -> BccLocation:
    """Find the bcc package without importing it (importing loads libbcc.so)."""
    if _pretend_absent():
        return BccLocation(False, f"bcc not found ({NO_BCC_ENV} is set)", FIX_BCC)
    loaded = sys.modules.get("bcc")
    if loaded is not None and getattr(loaded, "__file__", None):
        pkg = Path(str(loaded.__file__)).parent
        from_dist = not any(Path(p, "bcc") == pkg for p in sys.path if p)
        return BccLocation(True, f"{pkg} ({SYSTEM_DIST if from_dist else IMPORTABLE}, "
                           "imported)", path=pkg, from_dist=from_dist)
    shadowed = ""
    try:
        spec = importlib.util.find_spec("bcc")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        pkg = Path(spec.origin).parent
        if _is_real_bcc(pkg):
            return BccLocation(True, f"{pkg} ({IMPORTABLE})", path=pkg)
        shadowed = f"; ignored unrelated 'bcc' at {pkg}"
    dist = DIST_PACKAGES / "bcc"
    if (dist / "__init__.py").is_file() and _is_real_bcc(dist):
        return BccLocation(True, f"{dist} ({SYSTEM_DIST}: {sys.executable} does not search "
                           f"it){shadowed}", path=dist, from_dist=True)
    return BccLocation(False, f"bcc Python module not found (not importable by "
                       f"{sys.executable}, not in {DIST_PACKAGES}){shadowed}", FIX_BCC)

