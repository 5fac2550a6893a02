"""The findings' words in the header: the most severe ongoing finding and how many there
are (``!`` lists them); it leads the header's second line once a finding has held."""

from __future__ import annotations

from textual.content import Content

from perftui.views.findings import FindingsView

STYLE = {"critical": "bold reverse $error", "warning": "bold $warning", "info": "$text-muted"}


def findings_text(view: FindingsView) -> Content:
    top = view.top
    ongoing = len(view.ongoing)
    ended = len(view.rows) - ongoing
    if top is None:
        return Content.styled(f"{ended} finding{'s' if ended != 1 else ''} ended · ! lists "
                              "them", "$text-muted")
    more = ongoing - 1
    tail = f"  (+{more} more{f', {ended} ended' if ended else ''} · ! lists them)" if more \
        or ended else "  (! for evidence and fix)"
    return Content.assemble((f" {top.severity.upper()} ", STYLE.get(top.severity, "bold")),
                            " ", (top.summary, "bold"), (tail, "$text-muted"))
