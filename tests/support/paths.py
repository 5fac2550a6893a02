"""Where things are: the repository root and the target programs under tests/targets/."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGETS = REPO / "tests" / "targets"
