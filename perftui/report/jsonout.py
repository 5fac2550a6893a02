"""Strict JSON out: NaN and Infinity are not JSON, so a non-finite number becomes null and
the reader is told which ones (a frame from a damaged or crafted file can carry them)."""

from __future__ import annotations

import json
import math
from typing import Any

MAX_NAMED = 5  # paths named in the warning; the rest are counted


def _finite(value: Any, path: str, bad: list[str]) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        bad.append(path or "(top)")
        return None
    if isinstance(value, dict):
        return {k: _finite(v, f"{path}.{k}" if path else str(k), bad) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v, f"{path}[{i}]", bad) for i, v in enumerate(value)]
    return value


def dumps(value: Any, *, indent: int | None = 2) -> tuple[str, list[str]]:
    """(JSON text, warnings): every non-finite number written as null and named."""
    bad: list[str] = []
    clean = _finite(value, "", bad)
    text = json.dumps(clean, indent=indent, allow_nan=False)
    if not bad:
        return text, []
    named = ", ".join(bad[:MAX_NAMED]) + (f" and {len(bad) - MAX_NAMED} more"
                                          if len(bad) > MAX_NAMED else "")
    return text, [f"{len(bad)} value(s) were not finite numbers (NaN or Infinity) and are "
                  f"written as null: {named}"]
