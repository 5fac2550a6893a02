"""The hot-functions table: one row per function, sortable, filtered by a name search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from perftui.ui.widgets.table import Col, RowTable
from perftui.views.stacks import FunctionRow

# Sort keys and how the status line names them.  Numbers sort biggest first, names A to Z.
SORTS: dict[str, str] = {"self": "self %", "total": "total %", "name": "name"}

_COLS = (Col("function", "FUNCTION", max_width=48), Col("location", "FILE:LINE", cut_left=True),
         Col("self", "SELF%", 6, right=True), Col("total", "TOTAL%", 6, right=True),
         Col("samples", "SAMPLES", 7, right=True))


def sort_rows(rows: Sequence[FunctionRow], by: str = "self",
              query: str = "") -> list[FunctionRow]:
    """``rows`` matching ``query`` (a case-insensitive substring of the name), sorted."""
    q = query.strip().lower()
    kept = [r for r in rows if q in r.function.lower()] if q else list(rows)
    if by == "total":
        kept.sort(key=lambda r: (-r.total_samples, -r.self_samples, r.function))
    elif by == "name":
        kept.sort(key=lambda r: (r.function.lower(), r.location))
    else:
        kept.sort(key=lambda r: (-r.self_samples, -r.total_samples, r.function))
    return kept


def _pct(value: float) -> str:
    return f"{value:.1f}%"


class TopFunctions(RowTable):
    """A RowTable (cheap to redraw live) whose header marks the sort column."""

    def show(self, rows: Sequence[FunctionRow], by: str) -> None:
        marked = "function" if by == "name" else by
        self.set_columns([_marked(c) if c.key == marked else c for c in _COLS])
        self.set_rows([(r.function, r.location, _pct(r.self_pct), _pct(r.total_pct),
                        str(r.self_samples)) for r in rows])


def _marked(col: Col) -> Col:
    """The sort column: an arrow after its label, one cell wider when fixed."""
    return replace(col, label=col.label + "▼", width=col.width + 1 if col.width else 0)
