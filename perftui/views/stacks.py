"""Views of a ``StackModel`` window: top functions, a flame tree, folded lines, speedscope.

All of them start from the same sums (``StackModel.counts``), so the numbers agree: a
function's self samples here are the widths of its leaf frames in the flame tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from perftui.model.model import Model
from perftui.model.stacks import SESSION, StackModel, Threads, Window, picks

_LABEL = re.compile(r"^(.*) \(([^()]*?)(?::(\d+))?\)$")


def samples_of(model: Model, window: Window = SESSION) -> tuple[str, StackModel] | None:
    """The stacks a report or export shows: Python's (py-spy) when the window has any, else
    the native sampler's; with the stream's name.  None when neither sampled the window."""
    for name, stacks in (("pyspy", model.pystacks), ("stacks", model.nativestacks)):
        if stacks.counts(window):
            return name, stacks
    return None


@lru_cache(maxsize=65536)
def split_label(label: str) -> tuple[str, str, int | None]:
    """``"hot_a (app.py:12)"`` -> ("hot_a", "app.py", 12); ``"0x7f.. (libc.so.6)"`` ->
    ("0x7f..", "libc.so.6", None); a bare name -> (name, "", None)."""
    m = _LABEL.match(label)
    if m is None:
        return label, "", None
    return m.group(1), m.group(2), int(m.group(3)) if m.group(3) else None


@dataclass(frozen=True)
class FunctionRow:
    function: str
    location: str  # "file:line" (the function's first line when py-spy ran with --function)
    self_samples: int  # samples with this function as the leaf
    self_pct: float  # of the window's samples
    total_samples: int  # samples with this function anywhere on the stack (once per stack)
    total_pct: float


@dataclass(frozen=True)
class FlameNode:
    name: str  # frame label; the root is "all" (or the thread's name)
    self_samples: int
    total: int  # self_samples + sum of the children's totals
    children: tuple[FlameNode, ...]  # widest first


def top_functions(model: StackModel, window: Window = SESSION, tid: Threads = None, *,
                  by_line: bool = False, limit: int | None = None) -> tuple[FunctionRow, ...]:
    """Functions by self samples (then total).  Frames of one function at different lines
    count as one function unless ``by_line``."""
    counts = model.counts(window, tid)
    grand = sum(counts.values())
    own: dict[Any, int] = {}
    total: dict[Any, int] = {}
    where: dict[Any, tuple[str, str]] = {}
    for stack_index, n in counts.items():
        keys = []
        for label_index in model.stacks[stack_index]:
            label = model.labels[label_index]
            name, file, line = split_label(label)
            key = label if by_line else (name, file)
            if key not in where:
                loc = f"{file}:{line}" if file and line is not None else file
                where[key] = (name, loc)
            keys.append(key)
        if keys:
            own[keys[-1]] = own.get(keys[-1], 0) + n
        for key in set(keys):  # once per stack: recursion does not count twice
            total[key] = total.get(key, 0) + n
    rows = [FunctionRow(where[k][0], where[k][1], own.get(k, 0), _pct(own.get(k, 0), grand),
                        t, _pct(t, grand)) for k, t in total.items()]
    rows.sort(key=lambda r: (-r.self_samples, -r.total_samples, r.function, r.location))
    return tuple(rows[:limit] if limit is not None else rows)


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


class _Node:
    __slots__ = ("children", "name", "own", "total")

    def __init__(self, name: str) -> None:
        self.name = name
        self.own = 0
        self.total = 0
        self.children: dict[str, _Node] = {}

    def child(self, name: str) -> _Node:
        node = self.children.get(name)
        if node is None:
            node = self.children[name] = _Node(name)
        return node


def flame(model: StackModel, window: Window = SESSION, tid: Threads = None, *,
          by_thread: bool = False) -> FlameNode:
    """The window's stacks merged into a tree, root first.  ``by_thread``: one subtree per
    thread under the root (named ``name (tid)``)."""
    root = _Node(f"{model.thread_name(tid)} ({tid})" if isinstance(tid, int) else "all")
    for (stack_index, t), n in model.pairs(window).items():
        if not picks(tid, t):
            continue
        node = root
        node.total += n
        if by_thread and not isinstance(tid, int):
            node = node.child(f"{model.thread_name(t)} ({t})")
            node.total += n
        for label_index in model.stacks[stack_index]:
            node = node.child(model.labels[label_index])
            node.total += n
        node.own += n
    return _freeze(root)


def _freeze(root: _Node) -> FlameNode:
    """Bottom-up without recursion: a deep recursive program makes deep trees."""
    order: list[_Node] = []
    todo = [root]
    while todo:
        node = todo.pop()
        order.append(node)
        todo.extend(node.children.values())
    done: dict[int, FlameNode] = {}
    for node in reversed(order):  # every child before its parent
        kids = sorted((done.pop(id(c)) for c in node.children.values()),
                      key=lambda k: (-k.total, k.name))
        done[id(node)] = FlameNode(node.name, node.own, node.total, tuple(kids))
    return done[id(root)]


def folded(model: StackModel, window: Window = SESSION, tid: Threads = None, *,
           threads: bool = False) -> list[tuple[tuple[str, ...], int]]:
    """(labels root first, samples), most samples first; ``threads`` puts each thread's
    name first, as ``py-spy record --threads`` does."""
    out: dict[tuple[str, ...], int] = {}
    for (stack_index, t), n in model.pairs(window).items():
        if not picks(tid, t):
            continue
        labels = tuple(model.labels[i] for i in model.stacks[stack_index])
        if threads:
            labels = (f"thread ({t}): {model.thread_name(t)}", *labels)
        out[labels] = out.get(labels, 0) + n
    return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))


def to_folded(model: StackModel, window: Window = SESSION, tid: Threads = None, *,
              threads: bool = False) -> str:
    """Brendan Gregg's folded format, ``a;b;c N`` per line (flamegraph.pl, inferno,
    speedscope and others read it)."""
    return "".join(f"{';'.join(labels)} {n}\n"
                   for labels, n in folded(model, window, tid, threads=threads))


def to_speedscope(model: StackModel, window: Window = SESSION, tid: Threads = None, *,
                  name: str = "perftui") -> dict[str, Any]:
    """A speedscope file (https://www.speedscope.app/file-format-schema.json): one sampled
    profile per thread, in seconds at the probe's rate.  Samples keep their chunk's order,
    so speedscope's time-ordered view is right to about a second (the session total, once
    the oldest chunks are evicted, has no order left and is written as one block)."""
    frames: list[dict[str, Any]] = []
    frame_ids: dict[int, int] = {}
    per_thread: dict[int, tuple[list[list[int]], list[float]]] = {}
    unit = 1.0 / model.rate if model.rate else 1.0

    def add(stack_index: int, t: int, n: int) -> None:
        if tid is not None and t != tid:
            return
        ids = []
        for label_index in model.stacks[stack_index]:
            fid = frame_ids.get(label_index)
            if fid is None:
                fn, file, line = split_label(model.labels[label_index])
                entry: dict[str, Any] = {"name": fn}
                if file:
                    entry["file"] = file
                if line is not None:
                    entry["line"] = line
                fid = frame_ids[label_index] = len(frames)
                frames.append(entry)
            ids.append(fid)
        samples, weights = per_thread.setdefault(t, ([], []))
        samples.append(ids)
        weights.append(n * unit)

    evicted = window.whole and model.session_stats[0] > len(model.slices)
    if evicted:
        for (stack_index, t), n in sorted(model.session.items()):
            add(stack_index, t, n)
    else:
        for piece in model.slices_in(window):
            for stack_index, t, n in piece.triples():
                add(stack_index, t, n)
    profiles = []
    for t, (samples, weights) in sorted(per_thread.items()):
        profiles.append({"type": "sampled", "name": f"{model.thread_name(t)} ({t})",
                         "unit": "seconds" if model.rate else "none", "startValue": 0,
                         "endValue": sum(weights), "samples": samples, "weights": weights})
    return {"$schema": "https://www.speedscope.app/file-format-schema.json",
            "shared": {"frames": frames}, "profiles": profiles, "name": name,
            "activeProfileIndex": 0, "exporter": "perftui"}
