"""What this host lacks, as reasons to skip: py-spy, bcc, kernel headers, root."""

from __future__ import annotations

import os

import pytest

from perftui.probes import bccenv, companions
from perftui.probes.companions import NotFound, find_pyspy

try:
    PYSPY: str | None = find_pyspy().path
except NotFound:
    PYSPY = None
needs_pyspy = pytest.mark.skipif(PYSPY is None, reason="py-spy is not installed")


def bcc_missing() -> str | None:
    """Why the eBPF probe cannot load BPF programs here (root, an importable bcc), or None."""
    if os.geteuid() != 0:
        return "needs root: loads BPF programs"
    loc = companions.locate_bcc()
    if not loc.ok:
        return f"bcc not importable: {loc.detail}"
    return None


def bcc_and_headers_missing() -> str:
    """Why the native stack probe cannot run here (root, bcc, kernel headers), or ""."""
    if os.geteuid() != 0:
        return "needs root"
    for status in (companions.locate_bcc(), bccenv.kernel_source()):
        if not status.ok:
            return status.detail
    return ""


# The stack probe's needs (bcc and the kernel headers); the eBPF probe's tests skip on
# bcc_missing() alone.
needs_bpf = pytest.mark.skipif(bool(bcc_and_headers_missing()),
                               reason=bcc_and_headers_missing() or "ok")
