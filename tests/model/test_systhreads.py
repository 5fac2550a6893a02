"""The per-thread syscall split picks one process of the tree: rows of a descendant's thread
carry its pid, a descendant's short-lived threads come under its negated pid."""

from __future__ import annotations

from perftui.model.systhreads import ThreadSplit

TARGET, CHILD = 100, 200


def test_process_deltas_sum_a_process_threads_and_nothing_else() -> None:
    split = ThreadSplit()
    names = {1: "read", 2: "write"}.__getitem__
    split.apply(1.0, 0.0, [[100, 1, 5, 0.001, 0, True],  # the target's main thread
                           [201, 1, 7, 0.002, 1, True, CHILD],  # a child's second thread
                           [200, 2, 3, 0.003, 0, True, CHILD],
                           [-CHILD, 1, 2, 0.0, 0, True, CHILD]], names)  # its short threads
    split.apply(2.0, 1.0, [[201, 1, 10, 0.004, 1, False, CHILD]], names)
    child = split.process_deltas(CHILD, TARGET)
    assert child["read"].calls == 10 + 2 and child["read"].errors == 1
    assert child["write"].calls == 3 and child["read"].seconds is not None
    target = split.process_deltas(TARGET, TARGET)
    assert set(target) == {"read"} and target["read"].calls == 5
    assert split.process_deltas(999, TARGET) == {}
