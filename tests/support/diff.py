"""Two generated sessions with planted differences, and their diff."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from perftui.report.compare import compare
from perftui.report.load import summarize
from perftui.session import new_header
from perftui.session.writer import write_frames
from tests.support.cli import check_schema
from tests.support.framegen import GenConfig
from tests.support.stacks import with_stacks

BASE = GenConfig(samples=121)


def planted(tmp_path: Path) -> dict[str, Any]:
    """B: CPU 20% up (worse), write calls a third (better), hot code from 40% to 70%."""
    paths = []
    for name, cfg, hot in (("a", BASE, 0.4),
                           ("b", replace(BASE, cpu_user=BASE.cpu_user * 1.2,
                                         syscw_per_s=BASE.syscw_per_s // 3), 0.7)):
        path = str(tmp_path / f"{name}.perftui")
        write_frames(path, new_header(cfg.pid), with_stacks(cfg, hot))
        paths.append(path)
    diff = compare(summarize(paths[0])[0], summarize(paths[1])[0])
    check_schema("diff", diff)
    return diff
