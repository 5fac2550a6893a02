"""The two header lines: who the target is and how it is, then how perftui itself is doing
(replaying a file or recording to one, paused, its errors, its probes, its own CPU)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget

from perftui.ui.widgets.findingsline import findings_text
from perftui.ui.widgets.pane import Line
from perftui.units import ellipsize_left, fmt_bytes, fmt_duration, fmt_interval, fmt_percent
from perftui.views.findings import FindingsView
from perftui.views.snapshot import HeaderView, ProbeView

_STATES = {"R": "running", "S": "sleeping", "D": "disk wait", "Z": "zombie", "T": "stopped",
           "t": "traced", "I": "idle", "X": "dead", "W": "paging", "P": "parked"}

Part = tuple[str, str]  # (text, style)
FILE_ROOM = 40  # cells for a session file's name: the left part must leave the probes room


@dataclass(frozen=True)
class AppState:
    """What only the app knows: shown in the header next to the model's view."""

    interval: float
    paused: bool = False
    error: str = ""
    replay: str = ""  # the session file being replayed
    recording: str = ""  # the session file being recorded to...
    recorded: int = 0  # ...and its size in bytes
    warnings: tuple[str, ...] = ()  # about the replayed file (cut short, damaged)


def probe_parts(p: ProbeView) -> list[Part]:
    """One probe as the header shows it; anything not fully live carries a marker."""
    name = (p.name, "bold")
    if p.state == "live" and (p.missing or p.lost_frames):
        what = ", ".join(cap for cap, _ in p.missing)
        if p.lost_frames:
            what = ", ".join(filter(None, [what, f"{p.lost_frames} frames lost"]))
        return [name, (f" ⚠ degraded ({what})", "bold $warning")]
    if p.state == "live":
        return [name, (" live", "$success")]
    if p.state == "failed":
        return [name, (f" ✗ failed{': ' + p.msg if p.msg else ''}", "bold $error")]
    if p.state == "stale":
        return [name, (f" ⏸ stale: {p.msg}", "bold $warning")]
    if p.state == "restarting":
        return [name, (f" ↻ restarting{': ' + p.msg if p.msg else ''}", "$warning")]
    return [name, (f" {p.state}{': ' + p.msg if p.msg else ''}", "$text-muted")]


def short_command(command: str, room: int) -> str:
    """The command in ``room`` cells: first drop the directories of the program, then of
    every path argument, so ``python /long/path/to/worker.py`` still says ``worker.py``."""
    if len(command) <= room:
        return command
    words = command.split(" ")
    words[0] = words[0].rsplit("/", 1)[-1] or words[0]
    shorter = " ".join(words)
    if len(shorter) <= room:
        return shorter
    return " ".join(w.rsplit("/", 1)[-1] or w if w.startswith("/") else w for w in words)


def _fit(left: list[Part], middle: list[Part], right: list[Part], width: int) -> Content:
    """Left and right keep their room; the middle (command, probes) is cut to what is left."""
    lc, rc = Content.assemble(*left), Content.assemble(*right)
    room = width - lc.cell_length - rc.cell_length
    mid = Content.assemble(*middle)
    if room < 4:
        return (lc + mid + rc).truncate(width, ellipsis=True)
    mid = mid.truncate(room, ellipsis=True, pad=True)
    return lc + mid + rc


def mode_parts(state: AppState, width: int = 200) -> list[Part]:
    """``REPLAY file`` or ``● REC file size``: what perftui is doing with a session file.
    The name gets at most FILE_ROOM cells, fewer on a narrow terminal (its end kept: the
    time in a recording's default name), so perftui's CPU and the interval stay in view."""
    room = max(12, min(FILE_ROOM, width - 62))
    if state.replay:
        return [(" REPLAY ", "bold reverse $accent"),
                (" " + ellipsize_left(os.path.basename(state.replay), room) + "  ", "bold")]
    if state.recording:
        name = ellipsize_left(os.path.basename(state.recording), room)
        return [("● REC ", "bold $error"), (name, "bold"),
                (" " + fmt_bytes(state.recorded) + "  ", "$text-muted")]
    return []


def header_lines(view: HeaderView | None, state: AppState, width: int,
                 finding: Content | None = None) -> Content:
    """Both header lines for a terminal ``width`` cells wide (pure: tested directly)."""
    if view is None:
        first = Content.assemble(("perftui", "bold"), " waiting for the first frames…")
    else:
        if view.status == "running":
            status: Part = (_STATES.get(view.state, view.state), "bold")
        elif view.status == "held":
            status = ("held until the probes attach", "bold $warning")
        else:
            detail = f" ({view.exit_detail})" if view.exit_detail else ""
            status = (f"{view.status}{detail}", "bold reverse $error")
        left: list[Part] = [("PID ", "$text-muted"), (str(view.pid or "?"), "bold"), ("  ", ""),
                            status, ("  ", "")]
        right: list[Part] = [("  user ", "$text-muted"), (view.user or "?", ""),
                             ("  up ", "$text-muted"), (fmt_duration(view.uptime_s), "bold"),
                             ("  ", ""), (str(view.threads), "bold"),
                             (" threads", "$text-muted")]
        if view.processes is not None:  # a followed tree: T lists it
            right += [("  ", ""), (str(view.processes), "bold"),
                      (" procs (T)", "$text-muted")]
        room = width - sum(len(t) for t, _ in left) - sum(len(t) for t, _ in right)
        first = _fit(left, [(short_command(view.command, room), "$accent")], right, width)
    left2 = mode_parts(state, width)
    if state.paused:
        left2 += [(" PAUSED ", "bold reverse $warning"), ("  ", "")]
    if view is not None and view.focus:  # the panes show one process of the tree
        left2 += [(f" {view.focus} · esc: whole tree ", "bold reverse $accent"), (" ", "")]
    if state.error:
        left2.append(("✗ " + state.error + "  ", "bold $error"))
    notes: list[Part] = []
    if finding is not None:  # what is wrong first; the probes' states after it
        notes.append((finding.plain, "bold $warning"))
    if view is not None and view.launch_note:
        notes += [("  ", "")] if notes else []
        notes.append(("⚠ " + view.launch_note, "$warning"))
    for warning in state.warnings:  # first in the part that gets cut, not crowding the rest
        notes += [("  ", "")] if notes else []
        notes.append(("⚠ " + warning, "$warning"))
    self_cpu = view.self_cpu_percent if view is not None else None
    right2: list[Part] = [("  perftui ", "$text-muted"), (fmt_percent(self_cpu), "bold"),
                          ("  refresh ", "$text-muted"), (fmt_interval(state.interval), "bold")]
    room = width - _cells(left2) - _cells(right2)
    # A warning (a damaged file, a launch that went wrong) must be read whole; a finding
    # is cut before the probes' count goes (! shows it whole).
    whole = bool(state.warnings or (view is not None and view.launch_note))
    middle = _notes_and_probes(notes, view.probes if view is not None else (), room, whole)
    second = _fit(left2, middle or [("probes: none yet", "$text-muted")], right2, width)
    return Content("\n").join([first, second])


def _cells(parts: list[Part]) -> int:
    return Content.assemble(*parts).cell_length


def probes_parts(probes: tuple[ProbeView, ...], compact: int = 0) -> list[Part]:
    """The probes' states; ``compact`` 1: the live ones' names under one "live", 2: only how
    many are live, 3: not the live ones.  A probe that is not plainly live is always named
    with its state."""
    live = [p for p in probes if p.state == "live" and not (p.missing or p.lost_frames)]
    out: list[Part] = []
    for p in probes:
        if compact and p in live:
            continue
        out += [("  ", "")] if out else []
        out.extend(probe_parts(p))
    if compact in (1, 2) and live:
        summary: list[Part] = [(" ".join(p.name for p in live), "bold"), (" live", "$success")]
        if compact > 1:
            summary = [(f"{len(live)} probe{'s' if len(live) > 1 else ''}", "bold"),
                       (" live", "$success")]
        out = summary + ([("  ", "")] if out else []) + out
    return out


def _notes_and_probes(notes: list[Part], probes: tuple[ProbeView, ...], room: int,
                      whole: bool) -> list[Part]:
    """Notes (the top finding, warnings) then the probes' states, in ``room`` cells: the
    probes get shorter before a note is cut; ``whole``: the live ones go before it is."""
    variants = [probes_parts(probes, c) for c in ((0, 1, 2, 3) if whole else (0, 1, 2))]
    for states in variants:
        gap: list[Part] = [("  ", "")] if notes and states else []
        if _cells(notes) + _cells(gap) + _cells(states) <= room:
            return notes + gap + states
    states = min(variants, key=_cells)  # ("procfs live" is shorter than "1 probe live")
    gap = [("  ", "")] if notes and states else []
    left = room - _cells(gap) - _cells(states)
    if not notes or left < 12:  # too narrow to say both: the note first, cut
        return notes + gap + states
    cut = Content.assemble(*notes).truncate(left, ellipsis=True)
    return [(cut.plain, "bold $warning"), *gap, *states]


class HeaderBar(Widget):
    DEFAULT_CSS = """
    HeaderBar {
        dock: top;
        height: 2;
        background: $panel;
        color: $foreground;
        padding: 0 1;
        Line { height: 2; }
    }
    """

    def __init__(self, interval: float) -> None:
        super().__init__()
        self._view: HeaderView | None = None
        self._state = AppState(interval)
        self._line = Line()
        self._findings = FindingsView()

    def compose(self) -> ComposeResult:
        yield self._line

    @property
    def text(self) -> str:
        return self._line.text

    def set_state(self, state: AppState) -> None:
        if state != self._state:
            self._state = state
            self._draw()

    def update_view(self, view: HeaderView) -> None:
        if view != self._view:
            self._view = view
            self._draw()

    def update_findings(self, view: FindingsView) -> None:
        """The most severe finding leads the second line (before the probes' states)."""
        if view != self._findings:
            self._findings = view
            self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        lead = findings_text(self._findings) if self._findings.rows else None
        self._line.show(header_lines(self._view, self._state, self.content_size.width, lead))
