"""Findings: perftui names the problem, where it is, and what usually fixes it.

A view calls the engine each refresh, on the thread that owns the model (``Feed.read``)::

    from perftui.findings import Findings

    findings = Findings()                  # one per session (it remembers what held)
    shown = findings.update(model)         # list[Finding], ongoing first, most severe first
    findings.missing                       # {kind: why its data is missing}

``update`` judges the last 10 s of the model's counters and applies the hold rule: a
finding shows once it has been found for 5 s or two intervals, whichever is longer; it is
kept with ``ended`` set once it stops, and comes back ongoing (same ``since``) if it returns.
Calling it again with no new frame returns the same list; a model whose clock went back (a
replay seeked) starts it over (``reset``).  A report judges its window at once:
``evaluate(Span(Facts.of(model_at_start), Facts.of(model_at_end), model))``.

A ``Finding`` (frozen) has ``kind``; ``severity`` (``info``, ``warning``, ``critical``);
``summary`` (one line, with numbers); ``evidence`` (the figures, with ``window_s``,
``from_ts``, ``to_ts``, and ``figure``: the name of the main figure); ``figure`` (its
value); ``where`` (those known of ``thread``, ``tid``, ``path``, ``paths``, ``syscall``,
``errno``, ``function``, ``remote``, ``address``); ``advice``; ``since`` and ``ended``
(epoch s); ``subject`` (the ``where`` fields that say which problem it is).  ``key`` (kind
and subject) identifies it across updates; ``match_key`` (the same less the address)
across runs, as ``perftui diff`` matches them.

Each kind is a module of perftui.findings.kinds, listed in perftui.findings.catalog;
thresholds and the reasoning behind them are in docs/findings.md.
"""

from perftui.findings.base import CRITICAL, INFO, SEVERITIES, WARNING, Finding, rank
from perftui.findings.engine import Findings, evaluate, order
from perftui.findings.facts import Facts, Span

__all__ = ["CRITICAL", "INFO", "SEVERITIES", "WARNING", "Facts", "Finding", "Findings",
           "Span", "evaluate", "order", "rank"]
