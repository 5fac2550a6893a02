"""Capture perftui as SVG (and PNG when rsvg-convert is installed) for the README.

    python scripts/screenshots.py [--out screenshots] [--samples 65] [--interval 1]

Runs the real app headless (``App.run_test``) at 80x24 and 200x60, waits until the source
has delivered enough samples from the live built-in demo target, and saves the main view,
the zoomed CPU pane, the help screen, the hot-functions drill-down, the process tree, the
panes showing one picked child, the findings, and the other two themes.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perftui.sources.base import Source  # noqa: E402
from perftui.ui import create_app  # noqa: E402

SIZES = ((80, 24), (200, 60))
# (name, keys that lead from the main view to it); each view returns to the main view after.
VIEWS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("main", (), ()),
    ("cpu-zoomed", ("z",), ("escape",)),
    ("help", ("question_mark",), ("escape",)),
    ("hot-functions", ("f",), ("f",)),
    ("process-tree", ("T",), ("escape",)),
    # the demo's long-lived hashing child, the first row under the target, picked
    ("process-picked", ("T", "down", "enter"), ("escape",)),
    ("findings", ("exclamation_mark",), ("escape",)),
    ("light", ("t",), ()),
    ("high-contrast", ("t",), ("t",)),
)


class Demo:
    """The built-in demo target, started once and shared by every capture."""

    def __init__(self) -> None:
        from perftui.host.target import spawn_demo

        self.target = spawn_demo()
        if self.target.child is not None:
            # Shared by several sources, none of which launched it: run it now, unwatched
            # for its first instants (they are not what the pictures show).
            self.target.child.release()

    def source(self, interval: float) -> Source:
        from perftui.cli.pick import probes_for
        from perftui.sources.live import LiveSource

        # The same probes the command line would pick for this target.
        return LiveSource(self.target.pid, interval, probes=probes_for(self.target),
                          child=None, label=self.target.label)

    def stop(self) -> None:
        child = self.target.child
        if child is not None:
            child.end()


async def capture_all(source: Source, size: tuple[int, int], out: Path, min_samples: int,
                      timeout: float = 300.0) -> list[Path]:
    """One app session at ``size``: wait for data, then visit each view and save it."""
    app = create_app(source, interval=source.interval, theme=None)
    saved: list[Path] = []
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + timeout
        while app.model.process.samples < min_samples or app.snapshot is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {app.model.process.samples} samples after {timeout} s")
            await pilot.pause(0.2)
        for view, keys, back in VIEWS:
            for key in keys:
                await pilot.press(key)
                await pilot.pause(0.5)  # a screen the key opens is mounted before the next
            # A few intervals, so the header's own-CPU figure is not that of the previous
            # capture (rendering an SVG is not what perftui costs while it watches).
            await pilot.pause(3 * source.interval)
            await pilot.wait_for_scheduled_animations()
            name = f"{view}-{size[0]}x{size[1]}.svg"
            saved.append(Path(app.save_screenshot(name, path=str(out))))
            for key in back:
                await pilot.press(key)
    return saved


def to_png(svg: Path) -> Path | None:
    """Convert with rsvg-convert.  The SVG names a web font rsvg cannot fetch and collapses
    leading spaces, so a converted copy asks for a local monospace font and keeps spaces."""
    if shutil.which("rsvg-convert") is None:
        return None
    text = svg.read_text(encoding="utf-8")
    text = re.sub(r'font-family: "?Fira Code"?', 'font-family: "DejaVu Sans Mono"', text)
    text = text.replace("<svg ", '<svg xml:space="preserve" ', 1)
    png = svg.with_suffix(".png")
    with tempfile.NamedTemporaryFile("w", suffix=".svg", encoding="utf-8") as tmp:
        tmp.write(text)
        tmp.flush()
        subprocess.run(["rsvg-convert", tmp.name, "-o", str(png)], check=True)
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--samples", type=int, default=65,
                        help="samples to wait for (past 60 s the RSS growth warning shows)")
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    demo = Demo()
    try:
        for size in SIZES:
            for svg in asyncio.run(capture_all(demo.source(args.interval), size, args.out,
                                               args.samples)):
                png = to_png(svg)
                print(svg.name, png.name if png else "(no rsvg-convert: SVG only)")
    finally:
        demo.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
