"""Fixtures shared by several test folders.  Keep it small: helpers live in tests/support/
(imported explicitly), and a fixture comes here only when modules in more than one place
would otherwise each define it the same way.

- ``target``: tests/targets/named_workers.py running (4 named threads, one busy), past its
  ``ready`` line; killed at the end of the test.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.paths import TARGETS


@pytest.fixture
def target() -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, str(TARGETS / "named_workers.py")],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()
