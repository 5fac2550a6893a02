"""Network: TCP connections with their byte rates and totals, socket counts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content

from perftui.model.snapshot import ConnRow, NetView, Snapshot
from perftui.units import fmt_byte_rate, fmt_bytes, fmt_count
from perftui.widgets.pane import WIDE, Line, Pane, grid
from perftui.widgets.table import Col, RowTable

_SHORT_STATES = {"ESTABLISHED": "ESTAB", "TIME_WAIT": "TIME_W", "CLOSE_WAIT": "CLOSE_W",
                 "SYN_SENT": "SYN_S", "SYN_RECV": "SYN_R", "FIN_WAIT1": "FIN_W1",
                 "FIN_WAIT2": "FIN_W2", "LAST_ACK": "LASTACK"}

_NARROW = (Col("conn", "REMOTE"), Col("tx", "sent", 11, right=True),
           Col("rx", "recv", 11, right=True))
_MEDIUM = (Col("conn", "LOCAL → REMOTE", max_width=56), Col("st", "STATE", 11),
           Col("tx", "sent", 11, right=True), Col("rx", "recv", 11, right=True))
_WIDE = (*_MEDIUM, Col("txt", "sent total", 10, right=True),
         Col("rxt", "recv total", 10, right=True))
WIDEST = 96  # room for the lifetime totals too


def conn_cells(c: ConnRow, width: int) -> tuple[str, ...]:
    if width >= WIDE:
        cells: tuple[str, ...] = (f"{c.local} → {c.remote}", c.state, fmt_byte_rate(c.sent_per_s),
                 fmt_byte_rate(c.recv_per_s))
        if width >= WIDEST:
            cells += (fmt_bytes(c.sent_total), fmt_bytes(c.recv_total))
        return cells
    # Narrow: the peer is what tells connections apart; the state only when unusual.
    if c.state == "LISTEN":
        peer = f"listen :{c.local.rsplit(':', 1)[-1]}"
    else:
        state = "" if c.state == "ESTABLISHED" else f" {_SHORT_STATES.get(c.state, c.state)}"
        peer = f"{c.remote}{state}"
    return (peer, fmt_byte_rate(c.sent_per_s), fmt_byte_rate(c.recv_per_s))


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
            ("sockets  tcp ", "$text-muted"), (fmt_count(len(view.connections)), "bold"),
            ("  udp ", "$text-muted"), (fmt_count(view.udp), "bold"),
            ("  unix ", "$text-muted"), (fmt_count(view.unix), "bold"))
        self.query_one("#net-counts", Line).show(counts)
        table = self.query_one(RowTable)
        width = self.size.width
        table.set_columns(_WIDE if width >= WIDEST else _MEDIUM if width >= WIDE else _NARROW)
        conns = view.connections[: table.capacity or 50]
        table.set_rows([conn_cells(c, width) for c in conns])
        hidden = len(view.connections) - len(conns)
        more = f" · busiest {len(conns)} of {len(view.connections)}" if hidden > 0 else ""
        self.border_title = f"{self.TITLE}{more}"
