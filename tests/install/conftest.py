"""One wheel for the whole session, built from a clean copy of the checkout as a user's fresh
clone would be, and one venv it is installed into (the distribution's Python, no system site
packages, readable by every user).

A clean copy, because setuptools packs whatever an earlier build left in ``build/lib``: a
checkout that was once installed under old package names would ship them again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import REPO

SYSTEM_PYTHON = "/usr/bin/python3"
LEFT_OUT = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__",
                                  ".*_cache", ".hypothesis", ".benchmarks", "*.perftui")


@dataclass(frozen=True)
class Installed:
    venv: Path
    site_packages: Path
    perftui: str  # the console script pip wrote
    python: str


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(REPO, src, symlinks=True, ignore=LEFT_OUT)
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                          str(tmp / "dist"), str(src)], capture_output=True, text=True,
                         timeout=300, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout + run.stderr
    [built] = (tmp / "dist").glob("perftui-*.whl")
    return built


@pytest.fixture(scope="session")
def installed(wheel: Path) -> Iterator[Installed]:
    """The wheel and its dependencies (from PyPI) in a fresh venv of the system's Python."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip(f"no {SYSTEM_PYTHON}")
    # Not under pytest's temporary root (0700): the unprivileged user runs from here too.
    top = Path(tempfile.mkdtemp(prefix="perftui-wheel-"))
    top.chmod(0o755)
    try:
        venv = top / "venv"
        made = subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(venv)], capture_output=True,
                              text=True, timeout=120)
        assert made.returncode == 0, made.stderr  # python3-venv: scripts/install-deps.sh
        python = str(venv / "bin" / "python")
        pip = subprocess.run([python, "-m", "pip", "install", "-q",
                              "--disable-pip-version-check", str(wheel)],
                             capture_output=True, text=True, timeout=600,
                             stdin=subprocess.DEVNULL)
        assert pip.returncode == 0, pip.stdout + pip.stderr
        [site] = (venv / "lib").glob("python3*/site-packages")
        yield Installed(venv, site, str(venv / "bin" / "perftui"), python)
    finally:
        shutil.rmtree(top, ignore_errors=True)


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int
    home: Path  # a directory of its own to work in


@pytest.fixture(scope="session")
def unprivileged(installed: Installed) -> Iterator[User]:
    """A user made for these tests (removed after them), with a directory of its own."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create a user")
    import pwd
    import uuid

    name = f"ptwheel{uuid.uuid4().hex[:6]}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    name], check=True, capture_output=True)
    home = Path(tempfile.mkdtemp(prefix="perftui-user-"))
    try:
        entry = pwd.getpwnam(name)
        os.chown(home, entry.pw_uid, entry.pw_gid)
        home.chmod(0o700)
        yield User(name, entry.pw_uid, entry.pw_gid, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
        subprocess.run(["userdel", name], capture_output=True)
