"""The flame graph's cell allocation: largest remainder, never wider than the parent."""

from __future__ import annotations

import itertools
import random

from perftui.ui.widgets.flame import allocate, find, layout
from perftui.views.stacks import FlameNode


def node(name: str, own: int, *kids: FlameNode) -> FlameNode:
    return FlameNode(name, own, own + sum(k.total for k in kids), kids)


def test_exact_split_fills_the_parent() -> None:
    assert allocate([75, 25], 100, 80) == [60, 20]
    assert allocate([1, 1, 1], 3, 10) == [4, 3, 3]  # remainder to the earliest tie
    assert sum(allocate([3, 3, 3], 9, 7)) == 7


def test_largest_remainder_beats_rounding_each() -> None:
    # Rounding each part (3.33 -> 3 three times) loses a cell; largest remainder does not.
    assert allocate([1, 1, 1], 3, 10) != [3, 3, 3]
    # 0.6 + 0.6 + 8.8 = 10: floors give 8; the two cells left go to the largest remainders
    # (.8, then the first .6).
    assert allocate([6, 6, 88], 100, 10) == [1, 0, 9]


def test_self_time_leaves_room_and_tiny_parts_get_nothing() -> None:
    assert allocate([50], 100, 10) == [5]  # the parent's own samples: the rest is blank
    assert allocate([1, 999], 1000, 10) == [0, 10]
    assert allocate([], 10, 10) == [] and allocate([5], 0, 10) == [0]
    assert allocate([5], 10, 0) == [0]


def test_random_splits_never_overflow() -> None:
    rnd = random.Random(7)
    for _ in range(2000):
        parts = [rnd.randint(0, 50) for _ in range(rnd.randint(1, 12))]
        whole = sum(parts) + rnd.randint(0, 40)
        cells = rnd.randint(0, 120)
        got = allocate(parts, whole, cells)
        assert len(got) == len(parts) and all(w >= 0 for w in got)
        assert sum(got) <= cells and all(w <= cells for w in got)
        exact = sum(parts) * cells / whole if whole else 0
        assert abs(sum(got) - exact) <= 1  # within a cell of the exact row width
        for w, p in zip(got, parts, strict=True):
            assert abs(w - p * cells / max(1, whole)) < 1  # each within a cell of its share


def test_layout_rows_nest_and_hide_zero_width_frames() -> None:
    tree = node("all", 0, node("main", 0, node("hot_a", 75), node("hot_b", 24),
                               node("tiny", 1)))
    rows = layout(tree, 40, 10)
    assert [[(b.node.name, b.x, b.width) for b in row] for row in rows] == [
        [("all", 0, 40)], [("main", 0, 40)], [("hot_a", 0, 30), ("hot_b", 30, 10)]]
    assert rows[2][0].path == ("main", "hot_a")
    for above, row in itertools.pairwise(rows):
        for b in row:
            parent = next(p for p in above if p.path == b.path[:-1])
            assert parent.x <= b.x and b.x + b.width <= parent.x + parent.width
    assert len(layout(tree, 40, 2)) == 2


def test_find_falls_back_to_the_deepest_frame_still_there() -> None:
    tree = node("all", 0, node("main", 0, node("hot_a", 5)))
    assert find(tree, ("main", "hot_a"))[1] == ("main", "hot_a")
    assert find(tree, ("main", "gone", "x"))[1] == ("main",)
