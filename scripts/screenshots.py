"""Capture perftui as SVG (and PNG when rsvg-convert is installed) for the README.

    python scripts/screenshots.py [--out screenshots] [--frames 60] [--theme perftui-dark]

Runs the real app headless (``App.run_test``) at 80x24 and 200x60, waits until the source
has delivered enough samples, and saves the main view, the zoomed CPU pane and the help
screen.  ``make_source()`` says where the frames come from: canned frames for now, the live
demo target later.
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perftui.app import create_app  # noqa: E402
from perftui.sources.base import Source  # noqa: E402

SIZES = ((80, 24), (200, 60))
# (name, keys pressed once the data is in)
VIEWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("main", ()),
    ("cpu-zoomed", ("enter",)),
    ("help", ("question_mark",)),
)


def make_source() -> Source:
    """The frames to capture.  Canned for now: switch to a LiveSource on the demo target."""
    from perftui.sources.canned import CannedSource
    from tests.framegen import GenConfig, frames

    cfg = GenConfig(samples=240, cpu_wave=0.35, rss_growth_per_s=96 * 1024)
    return CannedSource(frames(cfg), description="canned frames (tests/framegen.py)")


async def capture(source_factory: Callable[[], Source], size: tuple[int, int], view: str,
                  keys: tuple[str, ...], out: Path, min_samples: int, theme: str | None,
                  timeout: float = 120.0) -> Path:
    app = create_app(source_factory(), theme=theme)
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + timeout
        while app.model.process.samples < min_samples or app.snapshot is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {app.model.process.samples} samples after {timeout} s")
            await pilot.pause(0.2)
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        name = f"{view}-{size[0]}x{size[1]}{'-' + theme if theme else ''}.svg"
        return Path(app.save_screenshot(name, path=str(out)))


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
    parser.add_argument("--frames", type=int, default=60, help="samples to wait for")
    parser.add_argument("--theme", default=None, help="theme name (default: perftui-dark)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        for view, keys in VIEWS:
            svg = asyncio.run(capture(make_source, size, view, keys, args.out, args.frames,
                                      args.theme))
            png = to_png(svg)
            print(svg, png or "(no rsvg-convert: SVG only)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
