"""``f`` in the real app on a real Python target: hot_a (75% by construction) tops hot_b."""

from __future__ import annotations

import re
import sys

import pytest

from tests.support.paths import TARGETS
from tests.support.tmux_driver import Tmux

pytestmark = pytest.mark.tmux

TARGET = TARGETS / "hot_python.py"


def share(screen: str, name: str) -> float | None:
    m = re.search(rf"^\s*{name}\s+\S+\s+([\d.]+)%", screen, re.MULTILINE)
    return float(m.group(1)) if m else None


def samples(screen: str) -> int:
    m = re.search(r"(\d+) samples in", screen)
    return int(m.group(1)) if m else 0


def test_f_shows_hot_a_above_hot_b_with_a_plausible_share() -> None:
    t = Tmux([sys.executable, "-m", "perftui", "--", sys.executable, str(TARGET)], 120, 40)
    try:
        t.wait_for(lambda s: "hot_python" in s, timeout=30)
        t.keys("f")
        # Two pyspy chunks at least, so the shares are not one chunk's noise.
        screen = t.wait_for(lambda s: share(s, "hot_a") is not None
                            and share(s, "hot_b") is not None and samples(s) >= 300,
                            timeout=60)
        lines = screen.splitlines()
        row_a = next(i for i, line in enumerate(lines) if line.lstrip().startswith("hot_a"))
        row_b = next(i for i, line in enumerate(lines) if line.lstrip().startswith("hot_b"))
        assert row_a < row_b, screen
        a, b = share(screen, "hot_a"), share(screen, "hot_b")
        assert a is not None and b is not None
        # 3:1 by construction; a loaded 2-core box and sampling leave room around it.
        assert 55 <= a <= 90 and 10 <= b <= 40 and a > 2 * b, screen
        t.keys("q")
        t.wait_for(lambda s: "EXITED=0" in s)
    finally:
        t.kill()
