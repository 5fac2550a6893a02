"""Numbers <-> text: every number a person reads goes through here with its unit, and the
times a person types (``90``, ``5m``, ``-30``) come back through ``parse_time``.

Binary units (KiB, MiB, GiB) for sizes because that is what the kernel counts in; a missing
value is ``NA`` (never a made-up zero).
"""

from __future__ import annotations

import re

NA = "\u2013"  # en dash: a value the probe could not read or a rate not known yet

_BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
_COUNT_UNITS = ("", "k", "M", "G", "T")


def fmt_bytes(n: float | None) -> str:
    """``512 B``, ``1.5 KiB``, ``412.3 MiB``, ``1.20 GiB``."""
    if n is None:
        return NA
    sign = "-" if n < 0 else ""
    value = abs(float(n))
    if value < 1024:
        return f"{sign}{value:.0f} B"
    for unit in _BYTE_UNITS[1:]:
        value /= 1024
        if value < 1024 or unit == _BYTE_UNITS[-1]:
            break
    # Two decimals below 10 so small changes (1.20 -> 1.25 GiB) stay visible.
    digits = 2 if value < 10 else 1
    return f"{sign}{value:.{digits}f} {unit}"


def fmt_byte_rate(n: float | None) -> str:
    """Bytes per second: ``1.5 MiB/s``."""
    return NA if n is None else f"{fmt_bytes(n)}/s"


def _scaled(n: float) -> str:
    value = abs(float(n))
    sign = "-" if n < 0 else ""
    if value < 1000:
        # Rates below 10 keep one decimal (0.5/s is not 0/s); plain counts are integers.
        if value < 10 and value != int(value):
            return f"{sign}{value:.1f}"
        return f"{sign}{value:.0f}"
    unit = ""
    for unit in _COUNT_UNITS[1:]:
        value /= 1000
        if value < 1000 or unit == _COUNT_UNITS[-1]:
            break
    digits = 2 if value < 10 else 1
    return f"{sign}{value:.{digits}f}{unit}"


def fmt_count(n: float | None) -> str:
    """A count: ``42``, ``12.3k``, ``4.56M``."""
    return NA if n is None else _scaled(n)


def fmt_per_s(n: float | None) -> str:
    """A rate of events: ``0.5/s``, ``120/s``, ``12.3k/s``."""
    return NA if n is None else f"{_scaled(n)}/s"


def fmt_percent(n: float | None) -> str:
    """``85.0%``; values of 1000% and more (ten busy cores) drop the decimal."""
    if n is None:
        return NA
    return f"{n:.0f}%" if abs(n) >= 1000 else f"{n:.1f}%"


def fmt_duration(seconds: float | None) -> str:
    """Compact elapsed time: ``42s``, ``5m07s``, ``1h02m``, ``3d04h``."""
    if seconds is None or seconds < 0:
        return NA
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def fmt_interval(seconds: float) -> str:
    """A refresh interval: ``0.1 s``, ``2 s``, ``60 s``."""
    return f"{seconds:g} s"


def fmt_growth(bytes_per_s: float | None) -> str:
    """Memory growth as MiB per minute, signed: ``+3.25 MiB/min``, ``-0.50 MiB/min``."""
    if bytes_per_s is None:
        return NA
    per_min = bytes_per_s * 60 / 2**20
    digits = 2 if abs(per_min) < 10 else 1
    text = f"{per_min:+.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"  # no "-0.00": flat is flat
    return f"{text} MiB/min"


def fmt_grown(grown_bytes: float | None, seconds: float | None) -> str:
    """A change of size over a span too short for a per-minute rate: ``+4.1 MiB in 8 s``."""
    if grown_bytes is None or seconds is None:
        return NA
    sign = "+" if grown_bytes > 0 else "-" if grown_bytes < 0 else ""
    span = fmt_duration(seconds) if seconds >= 1 else f"{max(0.0, seconds):.1f}s"
    return f"{sign}{fmt_bytes(abs(round(grown_bytes)))} in {span}"


def fmt_position(pos: int | None) -> str:
    """A file offset, as bytes."""
    return fmt_bytes(pos)


def ellipsize(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` characters with a trailing ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def ellipsize_left(text: str, width: int) -> str:
    """Cut from the left: for paths, where the file name at the end matters most."""
    if width <= 0:
        return ""
    return text if len(text) <= width else "…" + text[len(text) - width + 1:]


_DURATION = re.compile(r"^(-?\d+(?:\.\d*)?)(ms|s|m|h)?$")
_DURATION_UNIT = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_time(text: str) -> float:
    """``90``, ``1.5m``, ``2h``, ``-60`` (from the end), or an epoch timestamp, in seconds.
    ValueError says what is wrong."""
    m = _DURATION.match(text.strip())
    if m is None:
        raise ValueError(f"not a time: {text!r} (seconds, 5m, 1h or a timestamp)")
    return float(m.group(1)) * _DURATION_UNIT[m.group(2)]


def _three_digits(value: float) -> str:
    """``6.14``, ``63.8``, ``850``: decimals chosen after rounding, so 9.999 gives ``10.0``."""
    if round(value, 2) < 10:
        return f"{value:.2f}"
    if round(value, 1) < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def fmt_latency(ns: float | None) -> str:
    """``850 ns``, ``6.14 µs``, ``1.04 ms``, ``2.50 s``: three significant digits at most,
    in the smallest unit that keeps the number under 1000 once rounded (so 999.99 ns reads
    ``1.00 µs``, never ``1000 ns``)."""
    if ns is None:
        return NA
    if round(ns) < 1000:
        return f"{ns:.0f} ns"
    for unit, scale in (("µs", 1e3), ("ms", 1e6)):
        if round(ns / scale) < 1000:
            return f"{_three_digits(ns / scale)} {unit}"
    return f"{_three_digits(ns / 1e9)} s"
