"""SVG snapshots of the whole app (pytest-textual-snapshot), compact and roomy.

Deterministic: canned frames from tests/support/framegen.py with fixed timestamps, nothing drawn
from the wall clock.  Regenerate with ``pytest tests/ui/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perftui.session import new_header
from perftui.session.writer import write_frames
from perftui.sources.canned import CannedSource
from perftui.sources.replay import ReplaySource
from perftui.ui import create_app
from perftui.ui.app import PerftuiApp
from tests.support.framegen import EbpfGen, GenConfig, frames
from tests.support.replay import settle, with_gap

SnapCompare = Callable[..., bool]

# A busy, slowly leaking worker: a CPU swing and a rising RSS make the charts say something.
LEAKY = GenConfig(samples=200, cpu_wave=0.35, rss_growth_per_s=96 * 1024)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def make_app(cfg: GenConfig = LEAKY, theme: str | None = None) -> PerftuiApp:
    return create_app(CannedSource(frames(cfg)), interval=cfg.interval, theme=theme)


@pytest.mark.parametrize("size", SIZES)
def test_main_view(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size)


def test_main_view_with_ebpf(snap_compare: SnapCompare) -> None:
    """Per-syscall table, busiest files by bytes/s and eBPF connections at 80x24."""
    assert snap_compare(make_app(GenConfig(samples=60, ebpf=EbpfGen())), terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES)
def test_cpu_pane_zoomed(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), press=["z"], terminal_size=size)


def test_help_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app(), press=["question_mark"], terminal_size=(80, 24))


def test_target_exited_and_a_probe_failed(snap_compare: SnapCompare) -> None:
    cfg = GenConfig(samples=40, exit_code=3, gone=True,
                    extra_probes=(("ebpf", "failed", "needs CAP_BPF"),),
                    caps_missing=(("io", "permission denied"),))
    assert snap_compare(make_app(cfg), terminal_size=(80, 24))


@pytest.mark.parametrize("theme", ["perftui-light", "perftui-high-contrast"])
def test_other_themes(snap_compare: SnapCompare, theme: str) -> None:
    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24))


def test_paused_and_memory_pane_focused(snap_compare: SnapCompare) -> None:
    async def focus_memory(pilot: Any) -> None:
        await pilot.press("tab", "p")

    assert snap_compare(make_app(), run_before=focus_memory, terminal_size=(80, 24))


def test_replay_view(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """A replay paused 3.5 minutes in, past the hole in the recording the timeline marks."""
    path = str(tmp_path / "leaky.perftui")
    write_frames(path, new_header(LEAKY.pid), with_gap(frames(LEAKY), LEAKY))
    source = ReplaySource(path, playing=False)
    app = create_app(source)

    async def later(pilot: Any) -> None:
        await pilot.press("g", *"3:30", "enter")
        await settle(app, source)

    assert snap_compare(app, run_before=later, terminal_size=(80, 24))


def test_diff_screen(snap_compare: SnapCompare, tmp_path: Path) -> None:
    from perftui.ui.screens.diff import DiffApp
    from tests.support.diff import planted

    assert snap_compare(DiffApp(planted(tmp_path), "a.perftui", "b.perftui"),
                        terminal_size=(80, 24))


def test_hot_functions_screen(snap_compare: SnapCompare) -> None:
    """The drill-down on a known 75/25 profile, the flame's hot_a selected."""
    from tests.support.hot import profile

    app = create_app(CannedSource(profile()), interval=1.0)
    assert snap_compare(app, press=["f", "down", "down"], terminal_size=(80, 24))
