"""Choosing and starting the source of the ``ebpf`` stream: BPF programs when bcc can run,
else perf_event counters, else nothing; and the ``caps`` that say which and why."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from perftui.probes import bccenv, companions
from perftui.probes.perfcount.source import PerfSource
from perftui.probes.sockdiag import SockDiag, same_netns
from perftui.probes.wire import cap

from . import sysnames
from .bcc_api import BpfError
from .bpfsource import BpfSource
from .program import Loaded, plan
from .strings import Interner

Caps = dict[str, dict[str, Any]]
Warn = tuple[str, str]
CAP_NAMES = ("syscalls", "latency", "errors", "files", "net")
AUTO, BPF, PERF = "auto", "bpf", "perf"
COMPILING = "compiling BPF"


class Source(Protocol):
    def read(self) -> tuple[dict[str, Any], list[Warn]]: ...
    def close(self) -> None: ...


@dataclass
class Started:
    source: Source | None
    kind: str | None  # BPF, PERF or None
    caps: Caps
    elapsed: float = 0.0
    notes: list[Warn] = field(default_factory=list)


class Unavailable(Exception):
    pass


def pending_caps(why: str) -> Caps:
    return {name: cap(False, why) for name in CAP_NAMES}


def compiling_caps() -> Caps:
    """``hello``'s caps while the source starts: not decided yet (``pending``), not missing."""
    return {name: {**cap(False, COMPILING), "pending": True} for name in CAP_NAMES}


def start(pid: int, prefer: str, detail: str, strings: Interner,
          exact_latency: bool = False, children: bool = False) -> Started:
    t0 = time.monotonic()
    bpf_why = f"not tried (--source {prefer})"
    if prefer in (AUTO, BPF):
        try:
            src, caps = _start_bpf(pid, detail, strings, exact_latency, children)
            return Started(src, BPF, caps, time.monotonic() - t0)
        except Unavailable as e:
            bpf_why = str(e)
    perf_why = f"not tried (--source {prefer})"
    if prefer in (AUTO, PERF):
        bccenv.ensure_tracefs()  # the counters are opened by tracefs event id
        try:
            psrc = PerfSource(pid, strings, children)
        except OSError as e:
            perf_why = f"perf_event counters: {e.strerror or e}"
        else:
            caps = pending_caps(f"needs eBPF: {bpf_why}")
            caps["syscalls"] = cap(True)
            notes = [("syscalls", f"eBPF unavailable ({bpf_why}): counting syscalls with "
                      "perf_event counters; no latency, errors, files or sockets")]
            if prefer != AUTO:
                notes = []
            if children:  # inherited counters: the tree's sums, not split
                notes.append(("syscalls", "the perf-counter fallback counts the whole tree "
                              "(inherited counters) but cannot split it per process or "
                              "thread"))
            return Started(psrc, PERF, caps, time.monotonic() - t0, notes)
    caps = pending_caps(f"eBPF: {bpf_why}")
    caps["syscalls"] = cap(False, f"eBPF: {bpf_why}; {perf_why}")
    return Started(None, None, caps, time.monotonic() - t0)


def _start_bpf(pid: int, detail: str, strings: Interner,
               exact_latency: bool, children: bool) -> tuple[BpfSource, Caps]:
    if os.environ.get(companions.NO_BCC_ENV, "") not in ("", "0"):
        raise Unavailable(f"{companions.NO_BCC_ENV} is set")
    if os.geteuid() != 0:
        raise Unavailable("needs root (CAP_BPF and CAP_PERFMON)")
    for status in (companions.locate_bcc(), bccenv.kernel_source(), bccenv.ensure_tracefs()):
        if not status.ok:
            raise Unavailable(status.detail + (f" (fix: {status.fix})" if status.fix else ""))
    try:
        names = sysnames.discover()
    except OSError as e:
        raise Unavailable(f"syscall numbers: {e}") from e
    p = plan(pid, names, detail, children)
    try:
        loaded = Loaded(p)
    except (BpfError, bccenv.BccUnavailable) as e:
        raise Unavailable(f"compile/load failed: {e}") from e
    caps: Caps = {"syscalls": cap(True)}
    for name in CAP_NAMES[1:]:
        why = p.why_not.get(name)
        if not loaded.full:
            why = why or p.why_not.get("latency", "off")
        caps[name] = cap(why is None, why or "")
    diag = _sock_diag(pid) if loaded.net else None
    return BpfSource(pid, loaded, strings, diag, exact_latency), caps


def _sock_diag(pid: int) -> SockDiag | None:
    """For naming sockets that changed no state while watched; optional."""
    try:
        return SockDiag() if same_netns(pid) else SockDiag(netns_of=pid)
    except OSError:
        return None
