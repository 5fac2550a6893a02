"""File I/O: bytes through read()/write(), bytes that reached storage, calls, open files."""

from __future__ import annotations

from textual.app import ComposeResult

from perftui.model.snapshot import FileIOView, Snapshot
from perftui.units import NA, fmt_byte_rate, fmt_count, fmt_per_s, fmt_position
from perftui.widgets.pane import Line, Pane, read_write
from perftui.widgets.table import Col, RowTable

_COLS = (Col("fd", "FD", 4, right=True), Col("path", "PATH", cut_left=True, max_width=72),
         Col("pos", "POS", 10, right=True))


class FileIOPane(Pane[FileIOView]):
    TITLE = "File I/O"

    def compose(self) -> ComposeResult:
        yield Line(id="io-why", classes="why wrap")
        yield Line(id="io-rates")
        yield Line(id="io-legend", classes="muted")
        yield RowTable(id="files")

    def select(self, snap: Snapshot) -> FileIOView:
        return snap.fileio

    def draw(self, view: FileIOView) -> None:
        why = self.query_one("#io-why", Line)
        why.display = not view.available
        why.show("" if view.available else f"I/O counters unavailable: {view.why or 'unknown'}")
        rows = [("bytes", fmt_byte_rate(view.read_per_s), fmt_byte_rate(view.write_per_s)),
                ("disk", fmt_byte_rate(view.storage_read_per_s),
                 fmt_byte_rate(view.storage_write_per_s)),
                ("calls", fmt_per_s(view.read_calls_per_s), fmt_per_s(view.write_calls_per_s))]
        rates = self.query_one("#io-rates", Line)
        rates.display = view.available
        rates.show(read_write(rows))
        legend = self.query_one("#io-legend", Line)
        # The distinction matters when reading the numbers: rchar counts page-cache hits,
        # pipes and sockets too; "disk" is what reached the block layer.
        legend.display = self.wide
        legend.show("bytes: via read()/write(), incl. cache, pipes, sockets; "
                    "disk: what reached storage")
        table = self.query_one(RowTable)
        table.set_columns(_COLS)
        # Devices (/dev/null, ttys) last: the files a program works on are what one looks for.
        ordered = sorted(view.files, key=lambda f: f.path.startswith("/dev/"))
        files = ordered[: table.capacity or 50]
        table.set_rows([(str(f.fd), f.path, fmt_position(f.pos) if f.pos is not None else NA)
                        for f in files])
        hidden = len(view.files) - len(files)
        more = f", {len(files)} of {len(view.files)} files shown" if hidden > 0 else ""
        self.border_title = f"{self.TITLE} · {fmt_count(view.fd_count)} open fds{more}"
