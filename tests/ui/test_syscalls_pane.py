"""The Syscalls pane and its detail screen on a synthetic ebpf stream
(tests/support/framegen.py)."""

from __future__ import annotations

from perftui.ui.screens.syscall_detail import SyscallDetailScreen, bucket_label
from perftui.ui.widgets.syscalls import SyscallPane
from perftui.units import fmt_latency, fmt_per_s
from tests.support.app import WIDE, app_for, run_async, screen_lines, text_of
from tests.support.framegen import EbpfGen, GenConfig, frames

CFG = GenConfig(samples=20, ebpf=EbpfGen())


def test_latency_units() -> None:
    assert [fmt_latency(v) for v in (850, 6144, 1_035_468.8, 63_753_420.8, 2.5e9)] == \
        ["850 ns", "6.14 µs", "1.04 ms", "63.8 ms", "2.50 s"]
    assert fmt_latency(None) == "\u2013"
    # rounding never shows 1000 of a unit, nor 10.00 / 100.0 (four digits)
    assert [fmt_latency(v) for v in (999.9999, 994, 9999.99, 99_999, 999_999.9)] == \
        ["1.00 µs", "994 ns", "10.0 µs", "100 µs", "1.00 ms"]
    assert bucket_label(11) == "1.02 µs - 2.05 µs" and bucket_label(0) == "0 ns"
    assert bucket_label(39).startswith("≥ ")


@run_async
async def test_rows_sorted_by_rate_with_units_and_errno() -> None:
    app = app_for(CFG)
    async with app.run_test(size=WIDE) as pilot:
        # Drawn from every frame (an early snapshot may come from the first few, before
        # a second of the ebpf stream gives its rates).
        for _ in range(100):
            await pilot.pause(0.05)
            if app.snapshot is not None and app.snapshot.frames == len(frames(CFG)):
                break
        await pilot.pause()
        text = text_of(app, "syscalls")
        rows = [line.split()[0] for line in text.splitlines()[3:] if line.strip()]
        by_rate = sorted(CFG.ebpf.syscalls if CFG.ebpf else (), key=lambda s: -s.per_s)
        assert rows == [s.name for s in by_rate], text  # (names whole: columns fit the pane)
        read = next(line for line in text.splitlines() if line.startswith("read "))
        # read: 6000/s in [512, 1024) ns, 4800/s in [1024, 2048), 1200/s in [4096, 8192)
        assert fmt_per_s(12_000) in read and "6.14 µs" in read and "7.78 µs" in read
        assert "7.60k EAGAIN" in text and "380 ENOENT" in text
        assert "eBPF (ebpf probe)" in text and "all 14.9k/s" in text
        assert "eBPF probe" not in text.replace("(ebpf probe)", "")  # no "needs eBPF" note


@run_async
async def test_d_opens_the_detail_with_the_histogram_and_arrows_step() -> None:
    app = app_for(CFG)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.query_one(SyscallPane).focus()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, SyscallDetailScreen)
        text = "\n".join(screen_lines(app))
        assert "Syscall read" in text
        bars = {line.split("█")[0].strip("│ ") for line in text.splitlines() if "█" in line}
        assert bars == {"512 ns - 1.02 µs", "1.02 µs - 2.05 µs", "4.10 µs - 8.19 µs"}
        assert "50.0%" in text and "10.0%" in text
        await pilot.press("right")  # futex, the next by rate, with its errors
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "Syscall futex" in text and "EAGAIN" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SyscallDetailScreen)


@run_async
async def test_without_ebpf_the_pane_keeps_the_proc_view_and_d_only_warns() -> None:
    app = app_for(GenConfig(samples=5))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.query_one(SyscallPane).focus()
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, SyscallDetailScreen)
        text = text_of(app, "syscalls")
        assert "/proc" in text and "eBPF probe" in text


@run_async
async def test_arrows_highlight_a_syscall_and_enter_opens_its_detail() -> None:
    app = app_for(CFG)
    by_rate = [s.name for s in sorted(CFG.ebpf.syscalls if CFG.ebpf else (),
                                      key=lambda s: -s.per_s)]
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        pane = app.query_one(SyscallPane)
        pane.focus()
        await pilot.press("down", "down", "up", "down")
        await pilot.pause()
        assert pane.selected == by_rate[2]
        table = pane.query_one("#sys-table")
        assert table.cursor == 2  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SyscallDetailScreen)
        assert f"Syscall {by_rate[2]}" in "\n".join(screen_lines(app))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("shift+tab")  # leaving the pane hides its highlight
        await pilot.pause()
        assert table.cursor == -1  # type: ignore[attr-defined]


@run_async
async def test_d_from_any_pane_opens_the_highlighted_syscall() -> None:
    app = app_for(CFG)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "cpu"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, SyscallDetailScreen)
        assert "Syscall read" in "\n".join(screen_lines(app))
