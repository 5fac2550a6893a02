"""The hot-functions drill-down's view: what a stacks query shows, built from the model.

The screen sets a StacksQuery (which sampler, thread, window) and asks the feed for the
StacksView; everything here is plain data, so the screen only formats and draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from perftui.frames import FAILED, FINISHED, PYSPY, STACKS, UNAVAILABLE
from perftui.model.model import Model
from perftui.model.stacks import StackModel, Threads, Window, WindowStats, picks
from perftui.views.snapshot import HISTORY_POINTS
from perftui.views.stacks import FlameNode, FunctionRow, flame, top_functions

SAMPLERS = {PYSPY: "py-spy", STACKS: "eBPF cpu-clock"}
NO_PROBE = "no stack probe for this target: see perftui doctor"
NATIVE_STARTING = "native sampler starting (compiling)"
DOWN = (FAILED, FINISHED, UNAVAILABLE)


@dataclass(frozen=True)
class StacksQuery:
    source: str  # the stream shown: "pyspy", "stacks", or "" (the first one there is)
    tid: int | None  # one thread, or None for all
    window_name: str  # "last 10 s", "session", a picked range
    window: Window
    native_asked: bool = False  # the native sampler was started on demand: wait for it
    pid: int | None = None  # one process of the followed tree (its threads), None: all


@dataclass(frozen=True)
class SamplerStates:
    """The stack probes as the keys need them (m, i G N P)."""

    sources: tuple[str, ...]  # streams that can feed the view, Python first
    pyspy: tuple[str, str] | None  # (state, msg) of the pyspy probe, None when absent
    native: tuple[str, str] | None  # the same for the stacks probe
    why_none: str  # why no sampler feeds the view
    options: tuple[tuple[str, bool], ...]  # py-spy's options in force


@dataclass(frozen=True)
class StacksView:
    key: tuple[object, ...]  # equal keys: nothing shown changed
    source: str  # the stream shown ("" when none)
    samplers: SamplerStates
    status: str  # the top line: sampler, rate, samples, losses (or why there are none)
    rows: tuple[FunctionRow, ...]
    tree: FlameNode
    threads: tuple[tuple[int, str, int], ...]  # (tid, name, samples) busiest first
    both: bool  # two samplers to switch between (m)


def stack_sources(model: Model) -> list[str]:
    """The stack streams that can feed the view: Python first, those with data or a probe."""
    out = []
    for name, stacks in ((PYSPY, model.pystacks), (STACKS, model.nativestacks)):
        status = model.probes.get(name)
        if stacks.slices or stacks.session or (status is not None and not status.missing()
                                               and status.state in ("live", "starting")):
            out.append(name)
    return out


def why_none(model: Model) -> str:
    """One line on why no sampler feeds the view: each stack probe's missing caps or state."""
    reasons = []
    for name, label in SAMPLERS.items():
        status = model.probes.get(name)
        if status is None:
            continue
        why = "; ".join(status.missing().values()) or status.msg or status.state
        reasons.append(f"{label}: {why}")
    return "  ".join(reasons) or NO_PROBE


def native_status(model: Model) -> str:
    """The status line while the native sampler has sent no samples yet."""
    status = model.probes.get(STACKS)
    if status is not None and status.state in DOWN:
        why = "; ".join(status.missing().values()) or status.msg or status.state
        return f"{SAMPLERS[STACKS]}: {why}"
    return NATIVE_STARTING


def status_line(label: str, stacks: StackModel, stats: WindowStats, window: str) -> str:
    rate = f"{stacks.rate} Hz" if stacks.rate else "rate ?"
    # The cpu-clock sampler asks for nothing up front (it samples running time only).
    lost = (f"lost {max(0, stats.asked - stats.got)} of {stats.asked} asked  "
            if stats.asked else "")
    return f"{label} at {rate}  {stats.samples} samples in {window}  {lost}errors {stats.errors}"


def sampler_states(model: Model) -> SamplerStates:
    def state(name: str) -> tuple[str, str] | None:
        status = model.probes.get(name)
        return None if status is None else (status.state, status.msg)

    return SamplerStates(tuple(stack_sources(model)), state(PYSPY), state(STACKS),
                         why_none(model), tuple(sorted(model.pystacks.options.items())))


def resolve_source(query: StacksQuery, sources: tuple[str, ...]) -> str:
    """The stream to show: the one asked for while it can feed the view (or is starting)."""
    starting = query.native_asked and query.source == STACKS
    if query.source in sources or starting:
        return query.source
    return sources[0] if sources else ""


def stacks_view(model: Model, query: StacksQuery,
                unless_key: tuple[object, ...] | None = None) -> StacksView | None:
    """The view for ``query``; None when its key equals ``unless_key`` (nothing changed), so
    an unchanged view costs a key, not a flame graph."""
    samplers = sampler_states(model)
    source = resolve_source(query, samplers.sources)
    stacks = model.pystacks if source == PYSPY else model.nativestacks
    key = (id(model), stacks.session_stats[0], stacks.last_t1, samplers, source, query)
    if key == unless_key:
        return None
    process = None if query.pid is None else stacks.threads_of(query.pid, model.pid)
    which: Threads = query.tid if query.tid is not None else process
    stats = stacks.stats(query.window, which)
    threads = tuple(r for r in stats.threads if picks(process, r[0]))
    if source == STACKS and not stacks.session_stats[0]:
        status = native_status(model)
    elif source:
        status = status_line(SAMPLERS[source], stacks, stats, query.window_name)
    else:
        status = samplers.why_none
    both = len(samplers.sources) > 1 or (query.native_asked and source == STACKS)
    return StacksView(key, source, samplers, status,
                      tuple(top_functions(stacks, query.window, which)),
                      flame(stacks, query.window, which), threads, both)


def cpu_history(model: Model) -> tuple[list[tuple[float, float]], float | None]:
    """The CPU chart's points (timestamp, %) and the session's first timestamp: what a range
    is picked on."""
    series = model.process.series.get("cpu")
    return (series.points()[-HISTORY_POINTS:] if series is not None else [], model.first_ts)
