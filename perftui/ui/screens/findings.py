"""The findings screen (``!``): each finding with its evidence, where it is and its usual
fix, ongoing ones first; ``enter`` jumps to the pane or drill-down that shows the
evidence.  Kinds whose data is missing say why at the end."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content

from perftui.findings import Finding
from perftui.ui.screens.panel import SnapshotPanel
from perftui.ui.widgets.findingsline import STYLE
from perftui.units import NA, fmt_duration
from perftui.views.findings import FindingsView, evidence_lines
from perftui.views.snapshot import Snapshot

NONE_YET = ("No findings: nothing the checks look for has held for 5 s (or two intervals). "
            "The checks and their thresholds are in docs/findings.md.")
WHERE_ORDER = ("thread", "tid", "path", "paths", "syscall", "errno", "function", "remote",
               "address")


def _ago(ts: float | None, now: float) -> str:
    return NA if ts is None else f"{fmt_duration(max(0.0, now - ts))} ago"


def finding_lines(f: Finding, picked: bool, now: float) -> list[Content]:
    state = "ongoing" if f.ended is None else f"ended {_ago(f.ended, now)}"
    head = Content.assemble(("▶ " if picked else "  ", "bold $accent"),
                            (f" {f.severity.upper()} ", STYLE.get(f.severity, "bold")), " ",
                            (f.kind, "bold"), (f"  {state}, since {_ago(f.since, now)}",
                                               "$text-muted"))
    lines = [head.stylize("reverse", 0, 2) if picked else head,
             Content.assemble("    ", (f.summary, "bold" if f.ended is None else ""))]
    where = [(k, f.where[k]) for k in WHERE_ORDER if f.where.get(k) not in (None, "", [])]
    if where:
        lines.append(Content.assemble(("    where  ", "$text-muted"), "  ".join(
            f"{k} {', '.join(map(str, v[:4])) if isinstance(v, list) else v}"
            for k, v in where)))
    figures = "  ".join(f"{name} {value}" for name, value in evidence_lines(f))
    if figures:
        lines.append(Content.assemble(("    evidence  ", "$text-muted"), figures))
    lines.append(Content.assemble(("    fix  ", "$text-muted"), (f.advice, "$success")))
    return lines


def findings_text(view: FindingsView, cursor: int, now: float) -> Content:
    lines: list[Content] = []
    if not view.rows:
        lines.append(Content.styled(NONE_YET, "$text-muted"))
    for i, f in enumerate(view.rows):
        if i:
            lines.append(Content(""))
        lines += finding_lines(f, i == cursor, now)
    if view.missing:
        lines += [Content(""), Content.styled("Not judged (their data is missing):",
                                              "$text-muted")]
        lines += [Content.styled(f"  {kind}: {why}", "$text-muted") for kind, why in
                  view.missing]
    return Content("\n").join(lines)


class FindingsScreen(SnapshotPanel):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,exclamation_mark", "close", "Back"),
        Binding("up,k", "move(-1)", "Up", show=False, priority=True),
        Binding("down,j", "move(1)", "Down", show=False, priority=True),
        Binding("enter", "jump", "Show the evidence", priority=True),
    ]

    def __init__(self, snapshot: Snapshot | None,
                 jump: Callable[[Finding], None] | None = None) -> None:
        super().__init__(snapshot)
        self._jump = jump
        self._cursor = 0
        self._key: tuple[str, ...] | None = None  # the finding under the cursor

    @property
    def _view(self) -> FindingsView:
        return self._snap.findings if self._snap is not None else FindingsView()

    def redraw(self) -> None:
        view = self._view
        keys = [f.key for f in view.rows]
        if self._key in keys:
            self._cursor = keys.index(self._key)
        self._cursor = min(self._cursor, max(0, len(keys) - 1))
        ongoing = len(view.ongoing)
        box = self.box
        box.border_title = (f"Findings · {ongoing} ongoing, {len(view.rows) - ongoing} ended"
                            if view.rows else "Findings")
        box.border_subtitle = "enter: show the evidence · escape back"
        now = self._snap.ts if self._snap is not None and self._snap.ts else time.time()
        self.body.update(findings_text(view, self._cursor, now))

    def action_move(self, by: int) -> None:
        rows = self._view.rows
        if rows:
            self._cursor = max(0, min(len(rows) - 1, self._cursor + by))
            self._key = rows[self._cursor].key
            self.redraw()

    def action_jump(self) -> None:
        rows = self._view.rows
        jump = self._jump
        self.dismiss()
        if rows and jump is not None:  # once this screen is gone: the jump may push one
            self.app.call_later(jump, rows[min(self._cursor, len(rows) - 1)])
