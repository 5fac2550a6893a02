"""An icicle flame graph of a ``FlameNode`` tree: root on top, one row per depth, widths
proportional to samples, navigable frame by frame and zoomable.

Frames are addressed by their path of names under the root, not by child index: children
are re-sorted at every refresh (widest first), and a live view must keep the user's frame
selected while the numbers move.

Frames are coloured by module (the file a function is in: one colour per file, so a module's
frames stand out together) or, with ``c``, by self time (samples with the frame as the leaf,
hotter colours for more, relative to the hottest frame of the graph: where the CPU goes).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import RenderResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from perftui.units import ellipsize
from perftui.views.stacks import FlameNode, split_label

Path = tuple[str, ...]

# Theme variables only: a file always gets the same one, whatever the theme.
PALETTE = ("$primary-muted", "$secondary-muted", "$accent-muted", "$success-muted",
           "$warning-muted", "$error-muted")
# Self time, coldest first: none (a caller only), then up to a third, two thirds and more of
# the hottest frame's.  Green, amber, red read as a heat scale in every theme.
HEAT = ("$panel", "$success-muted", "$warning-muted", "$error-muted")
COLOURINGS = {"module": "module", "self": "self time"}  # how the screen names each


def allocate(parts: Sequence[int], whole: int, cells: int) -> list[int]:
    """Cells for each part of ``whole`` drawn ``cells`` wide, by largest remainder.

    Each part gets the floor of its exact share, then the parts with the largest remainders
    get one more cell until the row holds the rounded sum of the exact shares.  So siblings
    never sum past their parent, none is wider than its parent, and a part too small for a
    cell gets 0 (the caller hides it)."""
    if whole <= 0 or cells <= 0 or not parts:
        return [0] * len(parts)
    exact = [cells * max(0, p) / whole for p in parts]
    out = [int(e) for e in exact]
    target = min(cells, int(sum(exact) + 0.5))
    # Ties go to the earlier (wider) part: stable, so a redraw does not flicker.
    order = sorted(range(len(parts)), key=lambda i: -(exact[i] - out[i]))
    for i in order[: max(0, target - sum(out))]:
        out[i] += 1
    return out


@dataclass(frozen=True)
class Box:
    x: int
    width: int
    path: Path
    node: FlameNode


def layout(root: FlameNode, width: int, depth: int) -> list[list[Box]]:
    """Rows of boxes, root first, at most ``depth`` rows; zero-width frames are left out."""
    rows: list[list[Box]] = [[Box(0, width, (), root)]] if width > 0 and root.total else []
    while rows and len(rows) < depth:
        row: list[Box] = []
        for box in rows[-1]:
            kids = box.node.children
            x = box.x
            for kid, w in zip(kids, allocate([k.total for k in kids], box.node.total,
                                             box.width), strict=True):
                if w > 0:
                    row.append(Box(x, w, (*box.path, kid.name), kid))
                    x += w
        if not row:
            break
        rows.append(row)
    return rows


def find(root: FlameNode, path: Path) -> tuple[FlameNode, Path]:
    """The node at ``path``, or its deepest ancestor that still exists, with its path."""
    node = root
    found: Path = ()
    for name in path:
        kid = next((k for k in node.children if k.name == name), None)
        if kid is None:
            break
        node, found = kid, (*found, name)
    return node, found


def colour(name: str) -> str:
    _, file, _ = split_label(name)
    return PALETTE[zlib.crc32((file or name).encode()) % len(PALETTE)]


def heat(self_samples: int, hottest: int) -> str:
    """The colour for a frame's self time, ``hottest`` being the most any frame has."""
    if self_samples <= 0 or hottest <= 0:
        return HEAT[0]
    return HEAT[1 + min(len(HEAT) - 2, (len(HEAT) - 1) * self_samples // hottest)]


def hottest(root: FlameNode) -> int:
    """The most self samples of any frame (without recursion: trees can be deep)."""
    most, todo = 0, [root]
    while todo:
        node = todo.pop()
        most = max(most, node.self_samples)
        todo.extend(node.children)
    return most


class FlameView(Widget, can_focus=True):
    DEFAULT_CSS = """
    FlameView { height: 1fr; background: $surface; color: $foreground; }
    """
    BINDINGS = [
        Binding("up", "move('up')", "Parent", show=False),
        Binding("down", "move('down')", "Child", show=False),
        Binding("left", "move('left')", "Prev", show=False),
        Binding("right", "move('right')", "Move", key_display="←↑↓→"),
        Binding("enter", "zoom", "Zoom in"),
        Binding("backspace", "unzoom", "Zoom out", show=False),
        Binding("0", "reset", "Reset"),
        Binding("c", "colour", "Colour", show=False),  # in help: the footer is full
    ]

    class Changed(Message):
        """The selection or the zoom moved: the screen redraws its label."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.graph = FlameNode("all", 0, 0, ())
        self.zoom: Path = ()  # the frame drawn full width
        self.selected: Path = ()
        self.colouring = "module"  # or "self" (COLOURINGS)
        self._hottest = 0
        self._rows: list[list[Box]] = []

    # -- data ----------------------------------------------------------------------------
    def show(self, tree: FlameNode) -> None:
        self.graph = tree
        self._hottest = hottest(tree) if self.colouring == "self" else 0
        # Frames that left the window: fall back to the nearest one still there.
        self.zoom = find(tree, self.zoom)[1]
        self.selected = find(tree, self.selected)[1]
        if self.selected[: len(self.zoom)] != self.zoom:
            self.selected = self.zoom
        self.refresh()
        self.post_message(self.Changed())

    @property
    def selected_node(self) -> FlameNode:
        return find(self.graph, self.selected)[0]

    def describe(self) -> str:
        node = self.selected_node
        whole = self.graph.total
        share = f"{100 * node.total / whole:.1f}%" if whole else "-"
        zoom = f"  zoom: {len(self.zoom)} deep" if self.zoom else ""
        heat = "  colours: self time (c)" if self.colouring == "self" else ""
        return (f"{node.name}  {share} of samples  total {node.total}  self "
                f"{node.self_samples}{zoom}{heat}")

    # -- keys ----------------------------------------------------------------------------
    def _boxes(self) -> list[list[Box]]:
        root = find(self.graph, self.zoom)[0]
        rows = layout(root, self.size.width or 80, 1 << 16)
        prefix = self.zoom
        return [[Box(b.x, b.width, (*prefix, *b.path), b.node) for b in row] for row in rows]

    def action_move(self, where: str) -> None:
        rows = self._boxes()
        depth = len(self.selected) - len(self.zoom)
        if where == "up" and depth > 0:
            self.selected = self.selected[:-1]
        elif where == "down" and depth + 1 < len(rows):
            kids = [b for b in rows[depth + 1] if b.path[:-1] == self.selected]
            if kids:
                self.selected = kids[0].path  # the widest child
        elif where in ("left", "right") and depth < len(rows):
            row = rows[depth]
            at = next((i for i, b in enumerate(row) if b.path == self.selected), None)
            step = -1 if where == "left" else 1
            if at is not None and 0 <= at + step < len(row):
                self.selected = row[at + step].path
        self.refresh()
        self.post_message(self.Changed())

    def action_zoom(self) -> None:
        self.zoom = self.selected
        self.refresh()
        self.post_message(self.Changed())

    def action_unzoom(self) -> bool:
        """Zoom out one level; False when not zoomed (escape then goes further up)."""
        if not self.zoom:
            return False
        self.zoom = self.zoom[:-1]
        self.refresh()
        self.post_message(self.Changed())
        return True

    def action_colour(self) -> None:
        """Colour frames by module, or by self time."""
        self.colouring = "self" if self.colouring == "module" else "module"
        self._hottest = hottest(self.graph) if self.colouring == "self" else 0
        self.refresh()
        self.post_message(self.Changed())

    def action_reset(self) -> None:
        self.zoom = self.selected = ()
        self.refresh()
        self.post_message(self.Changed())

    # -- drawing -------------------------------------------------------------------------
    def render(self) -> RenderResult:
        width, height = self.size.width, max(1, self.size.height)
        rows = self._boxes()
        if not rows:
            return Content("no samples in this window")
        depth = len(self.selected) - len(self.zoom)
        top = max(0, depth - height + 1)  # keep the selected row on screen
        lines = [self._line(row, width) for row in rows[top: top + height]]
        return Content("\n").join(lines)

    def _line(self, row: list[Box], width: int) -> Content:
        parts: list[Content | tuple[str, str] | str] = []
        x = 0
        for box in row:
            if box.x > x:
                parts.append(" " * (box.x - x))
            # The box's last cell is left blank so neighbours of one colour stay apart.
            text = ellipsize(box.node.name, box.width - 1 if box.width > 2 else box.width)
            text = text.ljust(box.width)
            if box.path == self.selected:
                style = "reverse bold"
            elif self.colouring == "self":
                style = f"$foreground on {heat(box.node.self_samples, self._hottest)}"
            else:
                style = f"$foreground on {colour(box.node.name)}"
            if box.width > 2:
                parts.extend(((text[:-1], style), text[-1]))
            else:
                parts.append((text, style))
            x = box.x + box.width
        if x < width:
            parts.append(" " * (width - x))
        return Content.assemble(*parts)
