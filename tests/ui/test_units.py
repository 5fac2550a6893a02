"""Human formatting: every number with its unit, a dash when unknown."""

from __future__ import annotations

import pytest

from perftui.ui.widgets.chart import chart_rows, nice_ceiling
from perftui.units import (
    NA,
    ellipsize,
    ellipsize_left,
    fmt_byte_rate,
    fmt_bytes,
    fmt_count,
    fmt_duration,
    fmt_growth,
    fmt_interval,
    fmt_per_s,
    fmt_percent,
)


@pytest.mark.parametrize(("value", "text"), [
    (0, "0 B"), (512, "512 B"), (1023, "1023 B"), (1024, "1.00 KiB"), (1536, "1.50 KiB"),
    (10 * 1024, "10.0 KiB"), (412.3 * 2**20, "412.3 MiB"), (1.2 * 2**30, "1.20 GiB"),
    (3 * 2**40, "3.00 TiB"), (-2048, "-2.00 KiB"), (None, NA),
])
def test_bytes(value: float | None, text: str) -> None:
    assert fmt_bytes(value) == text


def test_byte_rate() -> None:
    assert fmt_byte_rate(3 * 2**20) == "3.00 MiB/s"
    assert fmt_byte_rate(0) == "0 B/s"
    assert fmt_byte_rate(None) == NA


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (42, "42"), (999, "999"), (1000, "1.00k"), (12_345, "12.3k"),
    (4_560_000, "4.56M"), (None, NA),
])
def test_count(value: float | None, text: str) -> None:
    assert fmt_count(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (0.5, "0.5/s"), (0.0, "0/s"), (120.0, "120/s"), (1200.0, "1.20k/s"), (12_300, "12.3k/s"),
    (None, NA),
])
def test_per_second(value: float | None, text: str) -> None:
    assert fmt_per_s(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0.0%"), (75.0, "75.0%"), (199.96, "200.0%"), (1234.0, "1234%"), (None, NA),
])
def test_percent(value: float | None, text: str) -> None:
    assert fmt_percent(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (0, "0s"), (42.9, "42s"), (307, "5m07s"), (3725, "1h02m"), (3 * 86400 + 4 * 3600, "3d04h"),
    (None, NA), (-1, NA),
])
def test_duration(value: float | None, text: str) -> None:
    assert fmt_duration(value) == text


def test_interval() -> None:
    assert [fmt_interval(s) for s in (0.1, 0.5, 1.0, 60.0)] == ["0.1 s", "0.5 s", "1 s", "60 s"]


def test_growth_in_mib_per_minute() -> None:
    assert fmt_growth(256 * 1024) == "+15.0 MiB/min"
    assert fmt_growth(2**20 / 60) == "+1.00 MiB/min"
    assert fmt_growth(-2**20 / 120) == "-0.50 MiB/min"
    assert fmt_growth(1e-9) == "0.00 MiB/min"
    assert fmt_growth(None) == NA


def test_ellipsis_keeps_the_useful_end() -> None:
    assert ellipsize("worker-thread-12", 8) == "worker-…"
    assert ellipsize_left("/var/log/app/orders.log", 12) == "…/orders.log"
    assert ellipsize("short", 10) == "short" and ellipsize("x", 0) == ""


def test_nice_ceiling() -> None:
    assert [nice_ceiling(v) for v in (0, 0.3, 1, 7.5, 75, 101, 1200)] == \
        [1.0, 0.5, 1.0, 10.0, 100.0, 200.0, 2000.0]


def test_chart_rows_scale_and_newest_on_the_right() -> None:
    rows = chart_rows([0, 50, 100], width=5, height=2, top=100)
    assert rows == ["    █", "   ██"]
    assert chart_rows([10.0] * 3, width=3, height=1, relative=True) == ["▁▁▁"]
    assert chart_rows([], width=2, height=1) == ["  "]
    # Only the newest ``width`` values are drawn.
    assert chart_rows([100, 0, 0], width=2, height=1, top=100) == ["  "]
