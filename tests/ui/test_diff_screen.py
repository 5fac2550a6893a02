"""``perftui diff`` on a terminal: the diff's rows and verdicts drawn, nothing recomputed."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content

from perftui.report.compare import compare
from perftui.report.load import summarize
from perftui.session import new_header
from perftui.session.writer import write_frames
from perftui.ui.screens.diff import DiffApp, metrics_table, sections
from tests.support.app import run_async, screen_lines
from tests.support.diff import BASE, planted
from tests.support.framegen import frames


def styles_of(content: Content, text: str) -> set[str]:
    """The styles on the line of ``content`` that holds ``text``."""
    line = next(line for line in content.split("\n") if text in line.plain)
    return {str(span.style) for span in line.spans}


def test_worse_is_error_better_is_success_and_the_rest_plain(tmp_path: Path) -> None:
    diff = planted(tmp_path)
    table = metrics_table(diff)
    assert "bold $error" in styles_of(table, "CPU average")
    assert "worse" in next(t for t in table.plain.splitlines() if "CPU average" in t)
    assert "bold $success" in styles_of(table, "write calls")
    assert styles_of(table, "RSS max") <= {""}  # unchanged: no colour, no verdict
    # Every verdict on screen is one the diff made.
    flagged = {r["label"] for r in diff["metrics"] if r["regression"] or r["improvement"]}
    drawn = {line.split("  ")[0].strip() for line in table.plain.splitlines()
             if line.endswith(("worse", "better"))}
    assert drawn == flagged == {"CPU average", "CPU max", "write calls"}


def test_functions_split_into_grew_and_shrank(tmp_path: Path) -> None:
    diff = planted(tmp_path)
    titles = [title for title, _ in sections(diff)]
    assert titles[:2] == ["Metrics", "Python functions (% of samples, total)"]
    body = dict(sections(diff))["Python functions (% of samples, total)"]
    text = body.plain
    grew, shrank = text.index("functions that grew"), text.index("functions that shrank")
    assert grew < text.index("hot (app.py:9)") < shrank < text.index("idle (app.py:20)")
    assert "bold $error" in styles_of(body, "hot (app.py:9)")  # +30 points: a regression
    assert "bold $success" in styles_of(body, "idle (app.py:20)")


def test_without_stacks_there_is_no_functions_section(tmp_path: Path) -> None:
    paths = []
    for name in ("a", "b"):
        path = str(tmp_path / f"{name}.perftui")
        write_frames(path, new_header(BASE.pid), frames(BASE))
        paths.append(path)
    diff = compare(summarize(paths[0])[0], summarize(paths[1])[0])
    assert [t for t, _ in sections(diff)] == ["Metrics"]


@run_async
async def test_the_diff_app_shows_the_verdict_and_quits(tmp_path: Path) -> None:
    diff = planted(tmp_path)
    app = DiffApp(diff, "a.perftui", "b.perftui")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = "\n".join(screen_lines(app))  # type: ignore[arg-type]
        assert f"{len(diff['regressions'])} regression(s)" in text
        assert "a.perftui" in text and "functions that grew" in text
        await pilot.press("q")
        assert not app.is_running
