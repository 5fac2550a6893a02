"""Findings: perftui names the problem, where it is, and what usually fixes it.

A view calls the engine each refresh, on the thread that owns the model::

    from perftui.findings import Findings

    findings = Findings()                  # one per session (it remembers what held)
    shown = findings.update(model)         # list[Finding], ongoing first, most severe first
    findings.missing                       # {kind: why its data is missing}

``update`` judges the last 10 s of the model's counters and applies the hold rule: a
finding shows once it has been found for 5 s or two intervals, whichever is longer; it is
kept with ``ended`` set once it stops.  A report judges its window at once:
``evaluate(Span(Facts at the start, Facts at the end, model))``.

A ``Finding`` has ``kind``; ``severity`` (``info``, ``warning``, ``critical``);
``summary`` (one line, with numbers); ``evidence`` (the figures, with ``window_s``,
``from_ts``, ``to_ts`` and ``figure``: the name of the main figure, whose value is also
``figure``); ``where`` (any of ``thread``, ``tid``, ``path``, ``paths``, ``syscall``,
``function``, ``remote``, ``address``); ``advice``; ``since`` and ``ended`` (epoch s);
``key``: what identifies it across updates and runs (kind, thread name, paths, remote,
syscall, address).

Each kind is a module of perftui.findings.kinds (listed in perftui.findings.catalog);
thresholds and the reasoning behind them are
in docs/findings.md.
"""

from perftui.findings.base import CRITICAL, INFO, SEVERITIES, WARNING, Finding, rank
from perftui.findings.engine import Findings, evaluate, order
from perftui.findings.facts import Facts, Span

__all__ = ["CRITICAL", "INFO", "SEVERITIES", "WARNING", "Facts", "Finding", "Findings",
           "Span", "evaluate", "order", "rank"]
