"""The stack model on synthetic ``pyspy`` frames: windows, thread filters, the flame tree's
widths, recursion, caps, probe restarts, and the folded/speedscope exports."""

from __future__ import annotations

import json
from typing import Any

import pytest

import perftui.model.stacks as stacks_module
from perftui.model.model import Model
from perftui.model.stacks import OTHER_STACK, SESSION, StackModel, Window
from perftui.views.stacks import (
    FlameNode,
    flame,
    folded,
    split_label,
    to_folded,
    to_speedscope,
    top_functions,
)

Frame = dict[str, Any]
T0 = 1_700_000_000.0
A, B, C = 11, 12, 13  # tids


class Feed:
    """Writes frames the way the probe does: labels and stacks interned once per stream."""

    def __init__(self, model: StackModel | None = None) -> None:
        self.model = model or StackModel()
        self.seq = 0
        self.strs: dict[str, int] = {}
        self.stacks: dict[tuple[int, ...], int] = {}
        self.hello()

    def frame(self, kind: str, **fields: Any) -> Frame:
        f = {"k": kind, "ts": fields.get("t1", T0), "seq": self.seq, **fields}
        self.seq += 1
        self.model.apply(f)
        return f

    def hello(self, rate: int = 100) -> None:
        self.strs.clear()
        self.stacks.clear()
        self.frame("hello", schema=1, probe="pyspy", pid=1, rate=rate, caps={})

    def chunk(self, t0: float, rows: list[tuple[str, int, int]], t1: float | None = None,
              **extra: Any) -> Frame:
        """rows: ("a;b;c", tid, count)."""
        new_strs: dict[int, str] = {}
        new_stacks: dict[int, list[int]] = {}
        samples = []
        for text, tid, count in rows:
            ids = []
            for label in text.split(";"):
                if label not in self.strs:
                    self.strs[label] = new_strs_id = len(self.strs)
                    new_strs[new_strs_id] = label
                ids.append(self.strs[label])
            key = tuple(ids)
            if key not in self.stacks:
                self.stacks[key] = len(self.stacks)
                new_stacks[self.stacks[key]] = ids
            samples.append([self.stacks[key], tid, count])
        fields: dict[str, Any] = {"t0": t0, "t1": t0 + 1.0 if t1 is None else t1,
                                  "rate": 100, "asked": 100, "got": 99, "errors": 0,
                                  "late": 0, "samples": samples, **extra}
        if new_strs:
            fields["strs"] = new_strs
        if new_stacks:
            fields["stacks"] = new_stacks
        return self.frame("chunk", **fields)


def by_name(model: StackModel, window: Window = SESSION, tid: int | None = None,
            ) -> dict[str, tuple[int, int]]:
    return {r.function: (r.self_samples, r.total_samples)
            for r in top_functions(model, window, tid)}


def assert_widths(node: FlameNode) -> int:
    """Every node: its own samples plus its children's widths make its width."""
    todo, checked = [node], 0
    while todo:
        n = todo.pop()
        assert n.total == n.self_samples + sum(c.total for c in n.children), n.name
        assert all(c.total > 0 for c in n.children)
        todo.extend(n.children)
        checked += 1
    return checked


def test_split_label() -> None:
    assert split_label("hot_a (app.py:12)") == ("hot_a", "app.py", 12)
    assert split_label("Thread.run (threading.py:971)") == ("Thread.run", "threading.py", 971)
    assert split_label("<module> (<string>:1)") == ("<module>", "<string>", 1)
    assert split_label("0x7f1b613278ec (libc.so.6)") == ("0x7f1b613278ec", "libc.so.6", None)
    assert split_label("bare") == ("bare", "", None)


def test_top_functions_self_total_and_percent() -> None:
    f = Feed()
    f.chunk(T0, [("main (m.py:1);hot_a (m.py:5)", A, 75), ("main (m.py:1);hot_b (m.py:9)", A, 25)])
    rows = top_functions(f.model)
    assert [r.function for r in rows[:2]] == ["hot_a", "hot_b"]
    assert (rows[0].self_samples, rows[0].self_pct, rows[0].location) == (75, 75.0, "m.py:5")
    main = next(r for r in rows if r.function == "main")
    assert (main.self_samples, main.total_samples, main.total_pct) == (0, 100, 100.0)


def test_recursion_counts_once_per_stack_in_total() -> None:
    f = Feed()
    f.chunk(T0, [("main (m.py:1);fib (m.py:3);fib (m.py:3);fib (m.py:3)", A, 10),
                 ("main (m.py:1);fib (m.py:3);leaf (m.py:8)", A, 5)])
    got = by_name(f.model)
    assert got["fib"] == (10, 15)  # not 10*3 + 5
    assert got["leaf"] == (5, 5)
    assert sum(r.self_samples for r in top_functions(f.model)) == 15


def test_lines_of_one_function_merge_unless_by_line() -> None:
    f = Feed()
    f.chunk(T0, [("f (m.py:3)", A, 4), ("f (m.py:4)", A, 6)])
    assert by_name(f.model)["f"] == (10, 10)
    lines = {r.location: r.self_samples for r in top_functions(f.model, by_line=True)}
    assert lines == {"m.py:3": 4, "m.py:4": 6}


def test_flame_widths_sum_at_every_level() -> None:
    f = Feed()
    f.chunk(T0, [("a;b;c", A, 7), ("a;b", A, 3), ("a;d", B, 5), ("e", B, 2), ("a;b;c;a;b", C, 4)])
    root = flame(f.model)
    assert root.total == 21 and root.self_samples == 0
    assert [c.name for c in root.children] == ["a", "e"]  # widest first
    a = root.children[0]
    assert (a.total, [c.total for c in a.children]) == (19, [14, 5])
    assert assert_widths(root) == 8
    threads = flame(f.model, by_thread=True)
    assert assert_widths(threads) > 3
    assert {c.name for c in threads.children} == {f"thread {t} ({t})" for t in (A, B, C)}
    assert flame(f.model, tid=B).total == 7


def test_flame_of_a_very_deep_stack() -> None:
    f = Feed()
    f.chunk(T0, [(";".join(f"r{i} (m.py:{i})" for i in range(5000)), A, 3)])
    root = flame(f.model)
    depth, node = 0, root
    while node.children:
        node, depth = node.children[0], depth + 1
    assert depth == 5000 and node.self_samples == 3


def test_windows_exclude_samples_outside() -> None:
    f = Feed()
    for k in range(100):  # one chunk a second; hot_a before T0+50, hot_b after
        f.chunk(T0 + k, [("hot_a (m.py:1)" if k < 50 else "hot_b (m.py:2)", A, 10)])
    m = f.model
    assert by_name(m, Window.last(10)) == {"hot_b": (100, 100)}
    assert by_name(m, Window.last(60)) == {"hot_b": (500, 500), "hot_a": (100, 100)}
    assert by_name(m) == {"hot_a": (500, 500), "hot_b": (500, 500)}
    assert by_name(m, Window.between(T0 + 10, T0 + 20)) == {"hot_a": (100, 100)}
    assert by_name(m, Window.between(T0 + 45, T0 + 55)) == {"hot_a": (50, 50),
                                                             "hot_b": (50, 50)}
    assert by_name(m, Window.between(T0 + 1000, T0 + 2000)) == {}
    stats = m.stats(Window.last(10))
    assert (stats.chunks, stats.samples, stats.asked, stats.got) == (10, 100, 1000, 990)
    assert stats.t0 == T0 + 90 and stats.t1 == T0 + 100
    assert m.stats().chunks == 100


def test_thread_filter_and_names() -> None:
    f = Feed()
    f.frame("threads", threads={A: "MainThread", B: "worker"})
    f.chunk(T0, [("x", A, 1), ("y", B, 9)], threads={C: "late-one"})
    f.chunk(T0 + 1, [("y", C, 2)])
    assert by_name(f.model, tid=B) == {"y": (9, 9)}
    assert top_functions(f.model, tid=B)[0].self_pct == 100.0
    stats = f.model.stats()
    assert stats.threads == ((B, "worker", 9), (C, "late-one", 2), (A, "MainThread", 1))
    assert f.model.stats(tid=A).samples == 1


def test_thread_tables_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stacks_module, "MAX_THREADS", 3)
    f = Feed()
    for tid in range(10):
        f.frame("threads", threads={tid: f"t{tid}"})
    f.frame("threads", threads={7: "seven"})  # seen again: newest
    assert list(f.model.names.items()) == [(8, "t8"), (9, "t9"), (7, "seven")]


def test_restarted_probe_renumbers_but_totals_keep() -> None:
    f = Feed()
    f.chunk(T0, [("a;b", A, 5)])
    f.hello()  # a restarted probe: ids from 0 again, meaning other stacks
    f.chunk(T0 + 1, [("c;d", A, 3), ("a;b", A, 1)])
    assert dict(folded(f.model)) == {("a", "b"): 6, ("c", "d"): 3}


def test_reset_in_a_chunk_drops_old_ids() -> None:
    f = Feed()
    f.chunk(T0, [("a;b", A, 5)])
    f.strs.clear()
    f.stacks.clear()
    f.chunk(T0 + 1, [("x;y", A, 2)], reset=True)
    f.chunk(T0 + 2, [("x;y", A, 1)])
    assert dict(folded(f.model)) == {("a", "b"): 5, ("x", "y"): 3}


def test_unknown_stack_ids_are_counted_not_guessed() -> None:
    m = StackModel()
    m.apply({"k": "chunk", "ts": T0, "t0": T0, "t1": T0 + 1, "samples": [[7, A, 4]]})
    assert m.unknown_samples == 4 and m.stats().samples == 0


def test_memory_caps_keep_sums_right() -> None:
    f = Feed(StackModel(max_slices=10, max_stacks=5))
    for k in range(30):
        f.chunk(T0 + k, [(f"s{k} (m.py:{k})", A, 2), ("common (m.py:0)", A, 1)])
    m = f.model
    assert len(m.slices) == 10 and len(m.stacks) <= 6
    assert m.stats().samples == 90  # the session total outlives the ring
    assert by_name(m)["common"] == (30, 30)
    assert by_name(m)[OTHER_STACK] == (2 * 26, 2 * 26)  # 4 distinct s-stacks fit the cap
    assert m.stats(Window.last(5)).samples == 15
    entries = Feed(StackModel(max_entries=50))
    for k in range(30):
        entries.chunk(T0 + k, [(f"s{k % 3}", t, 1) for t in range(10)])
    assert 1 <= len(entries.model.slices) <= 5
    assert entries.model.stats().samples == 300


def test_folded_export() -> None:
    f = Feed()
    f.frame("threads", threads={A: "main"})
    f.chunk(T0, [("a (m.py:1);b (m.py:2)", A, 3), ("a (m.py:1)", A, 1)])
    assert to_folded(f.model) == "a (m.py:1);b (m.py:2) 3\na (m.py:1) 1\n"
    assert to_folded(f.model, threads=True).startswith(f"thread ({A}): main;a (m.py:1);")
    assert to_folded(f.model, Window.between(0, 1)) == ""


def test_speedscope_export() -> None:
    f = Feed()
    f.frame("threads", threads={A: "main", B: "worker"})
    f.chunk(T0, [("a (m.py:1);b (m.py:2)", A, 30), ("a (m.py:1)", B, 10)])
    f.chunk(T0 + 1, [("a (m.py:1);b (m.py:2)", A, 20)])
    doc = json.loads(json.dumps(to_speedscope(f.model, name="t")))
    assert doc["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    frames = doc["shared"]["frames"]
    assert {"name": "b", "file": "m.py", "line": 2} in frames
    profiles = {p["name"]: p for p in doc["profiles"]}
    main = profiles[f"main ({A})"]
    assert main["type"] == "sampled" and main["unit"] == "seconds"
    assert len(main["samples"]) == len(main["weights"]) == 2  # one per chunk, in order
    assert [frames[i]["name"] for i in main["samples"][0]] == ["a", "b"]
    assert abs(main["endValue"] - 0.5) < 1e-9  # 50 samples at 100 Hz
    assert abs(sum(main["weights"]) - 0.5) < 1e-9
    only = to_speedscope(f.model, tid=B)
    assert [p["name"] for p in only["profiles"]] == [f"worker ({B})"]


def test_model_routes_the_pyspy_stream() -> None:
    model = Model()
    feed = Feed(model.pystacks)
    model.apply("pyspy", {"k": "hello", "ts": T0, "seq": 0, "schema": 1, "probe": "pyspy",
                          "pid": 5, "caps": {"stacks": {"ok": True}}, "rate": 100})
    feed.seq = 1
    frame = feed.chunk(T0, [("a;b", A, 3)])
    model.pystacks = StackModel()  # replay the same frames through Model.apply
    model.apply("pyspy", {"k": "hello", "ts": T0, "seq": 0, "schema": 1, "probe": "pyspy",
                          "pid": 5, "caps": {}, "rate": 100})
    model.apply("pyspy", frame)
    model.apply("procfs", {"k": "chunk", "ts": T0, "seq": 0, "samples": [[0, A, 99]]})
    assert model.pystacks.stats().samples == 3
    assert model.probes["pyspy"].state == "live"
