"""File I/O: bytes through read()/write(), bytes that reached storage, calls; then the busiest
files by bytes/s when the eBPF probe counts per file, else the open files by fd."""

from __future__ import annotations

from textual.app import ComposeResult

from perftui.model.syscalls import SMALL_READ_BYTES, SMALL_READ_RATE
from perftui.ui.widgets.pane import Line, Pane, read_write
from perftui.ui.widgets.table import Col, RowTable
from perftui.units import NA, fmt_byte_rate, fmt_bytes, fmt_count, fmt_per_s, fmt_position
from perftui.views.snapshot import FileIOView, Snapshot
from perftui.views.syscalls import FileRateRow

_COLS = (Col("fd", "FD", 4, right=True), Col("path", "PATH", cut_left=True, max_width=72),
         Col("pos", "POS", 10, right=True))
_RATED_NARROW = (Col("path", "PATH", cut_left=True, max_width=72),
                 Col("r", "read", 11, right=True), Col("w", "write", 11, right=True))
_RATED_WIDE = (*_RATED_NARROW, Col("calls", "calls", 8, right=True),
               Col("avg", "avg I/O", 9, right=True))


LATE_MARK = " *"  # after a path named from /proc (see LEGEND_LATE)
LEGEND_LATE = "; * opened before perftui attached (named from /proc)"


def rated_cells(f: FileRateRow, wide: bool) -> tuple[str, ...]:
    path = f.path + LATE_MARK if f.late else f.path
    cells = (path, fmt_byte_rate(f.read_per_s), fmt_byte_rate(f.write_per_s))
    if not wide:
        return cells
    return (*cells, fmt_per_s(f.calls_per_s),
            fmt_bytes(f.avg_io) if f.avg_io is not None else NA)


def small_reads_note(rows: tuple[FileRateRow, ...], wide: bool = True) -> str:
    small = [f for f in rows if f.small_reads]
    if not small:
        return ""
    names = ", ".join(f.path.rsplit("/", 1)[-1] for f in small[:3])
    if not wide:
        return f"small reads: {names}"
    return (f"many small reads: {names} (< {fmt_bytes(SMALL_READ_BYTES)} a read at "
            f"> {fmt_per_s(SMALL_READ_RATE)}; buffer them)")


# io_uring submits reads and writes without a system call per operation: neither the
# syscall tracepoints nor, for its async work, /proc's counters see all of it.
IO_URING_NOTE = ("io_uring in use: its reads and writes make no read()/write() calls, so "
                 "the per-file bytes and calls here miss them")


class FileIOPane(Pane[FileIOView]):
    TITLE = "File I/O"

    def compose(self) -> ComposeResult:
        yield Line(id="io-why", classes="why wrap")
        yield Line(id="io-rates")
        yield Line(id="io-legend", classes="muted")
        yield Line(id="io-small", classes="why")
        yield RowTable(id="files")

    def select(self, snap: Snapshot) -> FileIOView:
        return snap.fileio

    def draw(self, view: FileIOView) -> None:
        why = self.query_one("#io-why", Line)
        why.display = not view.available or view.io_uring
        why.show(f"I/O counters unavailable: {view.why or 'unknown'}" if not view.available
                 else IO_URING_NOTE if view.io_uring else "")
        rows = [("bytes", fmt_byte_rate(view.read_per_s), fmt_byte_rate(view.write_per_s)),
                ("disk", fmt_byte_rate(view.storage_read_per_s),
                 fmt_byte_rate(view.storage_write_per_s)),
                ("calls", fmt_per_s(view.read_calls_per_s), fmt_per_s(view.write_calls_per_s))]
        rates = self.query_one("#io-rates", Line)
        rates.display = view.available
        # Narrow with per-file rows: the files matter more than the disk and call totals.
        rates.show(read_write(rows[:1] if view.rated and not self.wide else rows))
        legend = self.query_one("#io-legend", Line)
        # The distinction matters when reading the numbers: rchar counts page-cache hits,
        # pipes and sockets too; "disk" is what reached the block layer.
        legend.display = self.wide
        late = any(f.late for f in view.rated[:50])
        legend.show("bytes: via read()/write(), incl. cache, pipes, sockets; "
                    "disk: what reached storage" + (LEGEND_LATE if late else ""))
        note = small_reads_note(view.rated, self.wide)
        small = self.query_one("#io-small", Line)
        small.display = bool(note)
        small.show(note)
        table = self.query_one(RowTable)
        if view.rated:
            self._draw_rated(view, table)
            return
        table.set_columns(_COLS)
        # Devices (/dev/null, ttys) last: the files a program works on are what one looks for.
        ordered = sorted(view.files, key=lambda f: f.path.startswith("/dev/"))
        files = ordered[: table.capacity or 50]
        table.set_rows([(str(f.fd), f.path, fmt_position(f.pos) if f.pos is not None else NA)
                        for f in files])
        hidden = len(view.files) - len(files)
        more = f", {len(files)} of {len(view.files)} files shown" if hidden > 0 else ""
        self.border_title = f"{self.TITLE} · {fmt_count(view.fd_count)} open fds{more}"

    def _draw_rated(self, view: FileIOView, table: RowTable) -> None:
        table.set_columns(_RATED_WIDE if self.wide else _RATED_NARROW)
        rows = view.rated[: table.capacity or 50]
        table.set_rows([rated_cells(f, self.wide) for f in rows])
        shown = f"top {len(rows)} of {len(view.rated)} files by bytes/s"
        self.border_title = (f"{self.TITLE} · {shown} · {view.rated_source}" if self.wide
                             else f"{self.TITLE} · {shown}")
