"""Generated frames with a pyspy stream of a known profile."""

from __future__ import annotations

from typing import Any

from tests.support.framegen import GenConfig, frames


def with_stacks(cfg: GenConfig, hot_share: float) -> list[tuple[str, Any]]:
    """framegen's frames plus a pyspy stream: 100 samples a second, ``hot_share`` of them in
    main -> work -> hot, the rest in main -> idle."""
    out = list(frames(cfg))
    out.append(("pyspy", {"k": "hello", "ts": cfg.t0, "seq": 0, "schema": 1, "probe": "pyspy",
                          "version": "0.1.0", "pid": cfg.pid, "host": "testhost",
                          "interval": 1.0, "caps": {"stacks": {"ok": True}}, "rate": 100}))
    labels = {1: "main (app.py:1)", 2: "work (app.py:5)", 3: "hot (app.py:9)",
              4: "idle (app.py:20)"}
    hot = round(100 * hot_share)
    for i in range(1, cfg.samples):
        chunk: dict[str, Any] = {
            "k": "chunk", "ts": cfg.t0 + i, "seq": i, "t0": cfg.t0 + i - 1, "t1": cfg.t0 + i,
            "rate": 100, "asked": 100, "got": 100, "errors": 0, "late": 0,
            "samples": [[1, cfg.pid, hot], [2, cfg.pid, 100 - hot]]}
        if i == 1:
            chunk.update(strs=labels, stacks={1: [1, 2, 3], 2: [1, 4]},
                         threads={cfg.pid: "MainThread"})
        out.append(("pyspy", chunk))
    out.sort(key=lambda sf: sf[1]["ts"])
    return out
