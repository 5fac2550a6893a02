"""Network: bytes by peer (a server's clients rolled up by port, a client's connections by
remote), then the busiest connections, with their byte rates and totals; socket counts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content

from perftui.ui.widgets.pane import WIDE, Line, Pane, grid
from perftui.ui.widgets.table import Col, RowTable
from perftui.units import fmt_byte_rate, fmt_bytes, fmt_count
from perftui.views.snapshot import ConnRow, NetView, PeerRow, Snapshot

_SHORT_STATES = {"ESTABLISHED": "ESTAB", "TIME_WAIT": "TIME_W", "CLOSE_WAIT": "CLOSE_W",
                 "SYN_SENT": "SYN_S", "SYN_RECV": "SYN_R", "FIN_WAIT1": "FIN_W1",
                 "FIN_WAIT2": "FIN_W2", "LAST_ACK": "LASTACK"}

_TOTALS = (Col("txt", "sent total", 10, right=True), Col("rxt", "recv total", 10, right=True))
_NARROW = (Col("conn", "REMOTE"), Col("tx", "sent", 11, right=True),
           Col("rx", "recv", 11, right=True))
_MEDIUM = (Col("conn", ":PORT → REMOTE"), Col("st", "STATE", 7),
           Col("tx", "sent", 11, right=True), Col("rx", "recv", 11, right=True), *_TOTALS)
_WIDE = (Col("conn", "LOCAL → REMOTE", max_width=56), Col("st", "STATE", 11),
         Col("tx", "sent", 11, right=True), Col("rx", "recv", 11, right=True), *_TOTALS)
WIDEST = 120  # room for the local address too


def columns(width: int) -> tuple[Col, ...]:
    return _WIDE if width >= WIDEST else _MEDIUM if width >= WIDE else _NARROW


def conn_cells(c: ConnRow, width: int) -> tuple[str, ...]:
    rates = (fmt_byte_rate(c.sent_per_s), fmt_byte_rate(c.recv_per_s))
    port = c.local.rsplit(":", 1)[-1]
    if width >= WIDEST:
        return (f"{c.local} → {c.remote}", c.state, *rates,
                fmt_bytes(c.sent_total), fmt_bytes(c.recv_total))
    if width >= WIDE:
        # The local host is nearly always this machine: its port is what tells apart.
        return (f":{port} → {c.remote}", _SHORT_STATES.get(c.state, c.state), *rates,
                fmt_bytes(c.sent_total), fmt_bytes(c.recv_total))
    # Narrow: the peer is what tells connections apart; the state only when unusual.
    if c.state == "LISTEN":
        return (f"listen :{port}", *rates)
    state = "" if c.state == "ESTABLISHED" else f" {_SHORT_STATES.get(c.state, c.state)}"
    return (f"{c.remote}{state}", *rates)


def peer_cells(p: PeerRow, width: int) -> tuple[str, ...]:
    rates = (fmt_byte_rate(p.sent_per_s), fmt_byte_rate(p.recv_per_s))
    many = f" ({fmt_count(p.connections)} conns)" if p.connections > 1 else ""
    if width < WIDE:
        return (f"{p.name}{many}", *rates)
    return (f"{p.name}{many}", f"{fmt_count(p.open)} open", *rates,
            fmt_bytes(p.sent_total), fmt_bytes(p.recv_total))


def rows_for(view: NetView, width: int, room: int) -> tuple[list[tuple[str, ...]], int]:
    """The table's rows: the peers, busiest first, when they roll anything up (some peer
    has two connections or more), then the busiest connections; and how many connections
    did not fit."""
    rows: list[tuple[str, ...]] = []
    if any(p.connections > 1 for p in view.peers):
        rows = [peer_cells(p, width) for p in view.peers[:room]]
    conns = view.connections[: max(0, room - len(rows))]
    rows += [conn_cells(c, width) for c in conns]
    return rows, len(view.connections) - len(conns)


class NetPane(Pane[NetView]):
    TITLE = "Network"

    def compose(self) -> ComposeResult:
        yield Line(id="net-why", classes="why wrap")
        yield Line(id="net-rates")
        yield Line(id="net-counts")
        yield RowTable(id="conns")

    def select(self, snap: Snapshot) -> NetView:
        return snap.net

    def draw(self, view: NetView) -> None:
        why = self.query_one("#net-why", Line)
        why.display = not view.available
        why.show("" if view.available else f"Sockets unavailable: {view.why or 'unknown'}")
        items = [("sent", fmt_byte_rate(view.sent_per_s)),
                 ("recv", fmt_byte_rate(view.recv_per_s))]
        self.query_one("#net-rates", Line).show(grid(items, self.size.width, value_width=11))
        counts = Content.assemble(
            ("sockets  tcp ", "$text-muted"), (fmt_count(view.tcp), "bold"),
            ("  udp ", "$text-muted"), (fmt_count(view.udp), "bold"),
            ("  unix ", "$text-muted"), (fmt_count(view.unix), "bold"))
        self.query_one("#net-counts", Line).show(counts)
        table = self.query_one(RowTable)
        width = self.size.width
        table.set_columns(columns(width))
        rows, hidden = rows_for(view, width, table.capacity or 50)
        table.set_rows(rows)
        shown = len(view.connections) - hidden
        more = f" · busiest {shown} of {len(view.connections)}" if hidden > 0 else ""
        # Say where the rows come from only when it is not the usual /proc view.
        source = f" · {view.source}" if not view.source.startswith("/proc") else ""
        self.border_title = f"{self.TITLE}{more}{source}"
