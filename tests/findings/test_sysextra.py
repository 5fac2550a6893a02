"""The model's tables for findings (perftui.model.sysextra): counters summed across rows that
start over and across probe runs, and bounded."""

from __future__ import annotations

from perftui.model.sysextra import OTHER_PATHS, Counters, SysExtra


def test_a_row_that_starts_over_keeps_what_it_had_counted() -> None:
    c: Counters[str] = Counters("other")
    c.put("a", (5, 1), first=True)
    c.put("a", (8, 1), first=False)
    c.put("a", (2, 0), first=True)  # the LRU table dropped it: from zero again
    c.put("a", (3, 0), first=False)
    c.new_run()
    c.put("a", (1, 1), first=True)
    assert c.totals() == {"a": (12, 2)}


def test_counts_went_down_without_first_is_a_restart_too() -> None:
    c: Counters[str] = Counters("other")
    c.put("a", (5,), first=True)
    c.put("a", (2,), first=False)
    assert c.totals() == {"a": (7,)}


def test_past_the_limit_new_keys_count_under_other() -> None:
    c: Counters[str] = Counters("other", limit=2)
    for key in ("a", "b", "c", "d"):
        c.put(key, (1,), first=True)
    c.put("c", (3,), first=False)  # two more for c
    assert c.totals() == {"a": (1,), "b": (1,), "other": (4,)}


def test_frames_fold_into_the_three_tables_by_name() -> None:
    x = SysExtra()
    names = {1: "/etc/app.yaml", 2: "poll", 3: OTHER_PATHS}.__getitem__
    x.apply({"paths": [[1, 7, 300, 2, 0, 1, True], [3, 0, 5, 0, 0, 0, True]],
             "timeouts": [[7, 2, 100, 0, 0, 0, 0, 3, True]],
             "futex": [[0x1000, 7, 10, 0.5, 0, 10, 2, 1, True]]}, names)
    assert x.paths.totals() == {("/etc/app.yaml", 7): (300, 2, 0, 1),
                                (OTHER_PATHS, 0): (5, 0, 0, 0)}
    assert x.timeouts.totals() == {(7, "poll"): (100, 0, 0, 0, 0, 3)}
    assert x.futex.totals() == {(0x1000, 7): (10, 0.5, 0, 10, 2, 1)}
    assert x.seen == {"paths", "timeouts", "futex"}


def test_totals_are_one_copy_until_a_row_comes_and_a_span_of_it_moved_nothing() -> None:
    # Findings copy every table at every sample; a thread-per-request server fills them to
    # thousands of rows that no longer move, so an unchanged table must cost nothing twice.
    from perftui.findings.facts import Facts, Span
    from perftui.model.model import Model

    c: Counters[str] = Counters("other", limit=2)
    c.put("a", (5, 1), first=True)
    first = c.totals()
    assert c.totals() is first
    c.put("a", (7, 1), first=False)
    c.put("b", (1, 0), first=True)
    c.put("c", (2, 0), first=True)  # past the limit: under other
    second = c.totals()
    assert second is not first and first == {"a": (5, 1)}
    assert second == {"a": (7, 1), "b": (1, 0), "other": (2, 0)}
    base, now = Facts(ts=0.0, futex=first), Facts(ts=1.0, futex=second)
    assert Span(base, now, Model()).table("futex") == {"a": (2, 0), "b": (1, 0),
                                                       "other": (2, 0)}
    assert Span(now, Facts(ts=2.0, futex=c.totals()), Model()).table("futex") == {}
