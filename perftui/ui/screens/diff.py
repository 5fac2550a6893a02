"""``perftui diff A B`` on a terminal: the diff (perftui.report.compare) as a scrollable screen.

Nothing is computed here: every number and every verdict (``regression``, ``improvement``)
comes from the diff dict, the same one ``--json`` prints.  Worse beyond the threshold is drawn
in $error, better beyond it in $success; the functions section (when both sessions have Python
stacks) splits what grew from what shrank.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from perftui.safetext import clean
from perftui.ui.signals import exit_on_signals
from perftui.ui.themes import DEFAULT_THEME, THEME_NAMES, load_themes
from perftui.units import ellipsize, fmt_byte_rate, fmt_bytes, fmt_per_s, fmt_percent

Row = dict[str, Any]
FORMATS: dict[str, Callable[[float | None], str]] = {
    "percent": fmt_percent, "bytes": fmt_bytes, "bytes/s": fmt_byte_rate, "count/s": fmt_per_s}
NAME_ROOM = 48
VALUE_W = 11
TOP = 15  # rows per list of names (functions, syscalls, threads)


def change_text(row: Row) -> str:
    pct = row.get("change_percent")
    if pct is None:
        return "new" if row.get("delta") else ""
    return f"{pct:+.1f}%"


def verdict(row: Row) -> tuple[str, str]:
    """(word, style) for a row's flags."""
    if row.get("regression"):
        return "worse", "bold $error"
    if row.get("improvement"):
        return "better", "bold $success"
    return "", ""


def _table(rows: list[tuple[str, str, str, str, str, str]], head: tuple[str, ...],
           name_w: int = 0) -> Content:
    """Rows of (name, a, b, change, verdict, style) as aligned lines under ``head``."""
    name_w = name_w or min(NAME_ROOM, max(len(head[0]), *(len(r[0]) for r in rows)))
    lines = [Content.styled(
        f"{head[0]:<{name_w}} {head[1]:>{VALUE_W}} {head[2]:>{VALUE_W}} {head[3]:>8}",
        "bold $text-muted")]
    for name, a, b, change, word, style in rows:
        cells = (f"{ellipsize(name, name_w):<{name_w}} {a:>{VALUE_W}} {b:>{VALUE_W}} "
                 f"{change:>8}")
        lines.append(Content.assemble((cells, style), (f"  {word}", style) if word else ""))
    return Content("\n").join(lines)


def metrics_table(diff: dict[str, Any]) -> Content:
    rows = []
    for row in diff["metrics"]:
        fmt = FORMATS[row["unit"]]
        word, style = verdict(row)
        rows.append((row["label"], fmt(row["a"]), fmt(row["b"]), change_text(row), word, style))
    return _table(rows, ("metric", "A", "B", "change"))


def grew_and_shrank(rows: list[Row], unit: str, what: str) -> Content:
    """Names whose share grew (worst first) and names whose share shrank (most first)."""
    fmt = FORMATS[unit]
    grew = sorted((r for r in rows if (r["delta"] or 0) > 0), key=lambda r: -r["delta"])
    shrank = sorted((r for r in rows if (r["delta"] or 0) < 0), key=lambda r: r["delta"])
    parts = []
    name_w = min(NAME_ROOM, max((len(r["name"]) for r in rows), default=1))
    for title, picked, colour in ((f"{what} that grew", grew, "$error"),
                                  (f"{what} that shrank", shrank, "$success")):
        if not picked:
            continue
        table = []
        for r in picked[:TOP]:
            word, style = verdict(r)
            table.append((r["name"], fmt(r["a"]), fmt(r["b"]), change_text(r), word,
                          style or colour))
        more = f"  (+{len(picked) - TOP} more)" if len(picked) > TOP else ""
        parts.append(Content.assemble((title, f"bold {colour}"), (more, "$text-muted")))
        parts.append(_table(table, ("", "A", "B", "change"), name_w))
    return Content("\n").join(parts)


def sections(diff: dict[str, Any]) -> list[tuple[str, Content]]:
    """(title, body) of each part of the diff that has something to say."""
    out = [("Metrics", metrics_table(diff))]
    if diff.get("functions"):
        out.append(("Python functions (% of samples, total)",
                    grew_and_shrank(diff["functions"], "percent", "functions")))
    if diff.get("syscalls"):
        out.append(("Syscalls (calls/s)", grew_and_shrank(diff["syscalls"], "count/s",
                                                          "syscalls")))
    threads = [r for r in diff.get("threads", []) if r["a"] is None or r["b"] is None
               or r["delta"]]
    if threads:
        out.append(("Threads (average CPU)", _table(
            [(r["name"], fmt_percent(r["a"]), fmt_percent(r["b"]), change_text(r), "", "")
             for r in threads[:TOP]], ("thread", "A", "B", "change"))))
    only = []
    for section in ("connections", "files"):
        sides = diff.get(section) or {}
        for side, key in (("A", "only_a"), ("B", "only_b")):
            only += [f"{section[:-1]} only in {side}: {name}" for name in sides.get(key, [])]
    if only:
        out.append(("Seen in one session only", Content("\n".join(only))))
    return out


def summary_line(diff: dict[str, Any], a: str, b: str) -> Content:
    flagged = diff["regressions"]
    verdict_part = (f"{len(flagged)} regression(s)", "bold $error") if flagged else \
        ("no regressions", "bold $success")
    return Content.assemble(("A ", "$text-muted"), (a, "bold"), ("   B ", "$text-muted"),
                            (b, "bold"), (f"   threshold {diff['threshold_percent']:g}%   ",
                                          "$text-muted"), verdict_part)


class DiffScreen(Screen[None]):
    DEFAULT_CSS = """
    DiffScreen {
        background: $background;
        #diff-summary { background: $panel; padding: 0 1; height: auto; }
        #diff-body { padding: 0 1; }
        .diff-title { color: $accent; text-style: bold; margin-top: 1; }
    }
    """

    def __init__(self, diff: dict[str, Any], a: str, b: str) -> None:
        super().__init__()
        self._diff, self._a, self._b = diff, clean(a), clean(b)

    def compose(self) -> ComposeResult:
        yield Static(summary_line(self._diff, self._a, self._b), id="diff-summary")
        with VerticalScroll(id="diff-body"):
            for title, body in sections(self._diff):
                yield Static(title, classes="diff-title", markup=False)
                yield Static(body, id=f"diff-{title.split()[0].lower()}")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#diff-body").focus()  # arrows and page keys scroll


class DiffApp(App[None]):
    TITLE = "perftui diff"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "quit", "Quit", key_display="q"),
        Binding("t", "next_theme", "Theme"),
    ]

    def __init__(self, diff: dict[str, Any], a: str, b: str,
                 theme: str = DEFAULT_THEME) -> None:
        super().__init__()
        self._screen = DiffScreen(diff, a, b)
        for t in load_themes().values():
            self.register_theme(t)
        self.theme = theme

    def on_mount(self) -> None:
        exit_on_signals(self)
        self.push_screen(self._screen)

    def action_next_theme(self) -> None:
        names = [n for n in THEME_NAMES if n in self.available_themes]
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]
