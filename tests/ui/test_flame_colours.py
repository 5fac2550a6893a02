"""The flame graph's colours: by module (one per file), or with c by self time, hotter for
frames with more samples of their own, in the theme's colours."""

from __future__ import annotations

from rich.color import Color as RichColor
from textual.app import App, ComposeResult
from textual.color import Color

from perftui.ui.themes import THEME_NAMES, load_themes
from perftui.ui.widgets.flame import FlameView, heat
from perftui.views.stacks import FlameNode
from tests.support.app import run_async


def node(name: str, own: int, *kids: FlameNode) -> FlameNode:
    return FlameNode(name, own, own + sum(k.total for k in kids), kids)


# One file: by module every frame of it has one colour; by self time they differ.
TREE = node("all", 0, node("work (hot.py:30)", 0, node("hot_a (hot.py:10)", 75),
                           node("hot_b (hot.py:20)", 30), node("warm (hot.py:40)", 15)))


class FlameApp(App[None]):
    def __init__(self, theme: str) -> None:
        super().__init__()
        for t in load_themes().values():
            self.register_theme(t)
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield FlameView()


def backgrounds(flame: FlameView, y: int) -> dict[str, RichColor | None]:
    """Each frame's background on row ``y``, by the frame's first word."""
    out: dict[str, RichColor | None] = {}
    for seg in flame.render_line(y):
        word = seg.text.strip().split(" ")[0]
        if word and seg.style is not None and word not in out:
            out[word] = seg.style.bgcolor
    return out


def variable(app: App[None], name: str) -> RichColor:
    return Color.parse(app.get_css_variables()[name]).rich_color


def test_heat_levels() -> None:
    assert [heat(n, 90) for n in (0, 1, 29, 30, 59, 60, 89, 90)] == [
        "$panel", "$success-muted", "$success-muted", "$warning-muted", "$warning-muted",
        "$error-muted", "$error-muted", "$error-muted"]
    assert heat(5, 0) == "$panel"


def test_c_colours_frames_by_self_time() -> None:
    for theme in THEME_NAMES:
        _colours(theme)


@run_async
async def _colours(theme: str) -> None:
    app = FlameApp(theme)
    async with app.run_test(size=(80, 10)) as pilot:
        flame = app.query_one(FlameView)
        flame.show(TREE)
        flame.focus()
        await pilot.pause()
        by_module = backgrounds(flame, 2)
        assert set(by_module) == {"hot_a", "hot_b", "warm"}
        assert len(set(by_module.values())) == 1  # one file, one colour
        await pilot.press("c")
        await pilot.pause()
        assert flame.colouring == "self" and "colours: self time (c)" in flame.describe()
        by_self = backgrounds(flame, 2)
        # hot_a is the hottest; hot_b has 30/75 of it, warm 15/75; work only calls them.
        assert by_self == {"hot_a": variable(app, "error-muted"),
                           "hot_b": variable(app, "warning-muted"),
                           "warm": variable(app, "success-muted")}
        assert backgrounds(flame, 1)["work"] == variable(app, "panel")
        assert len({*by_self.values(), variable(app, "panel")}) == 4, theme  # four levels
        await pilot.press("c")
        await pilot.pause()
        assert backgrounds(flame, 2) == by_module
