"""The header's second line at narrow widths: a finding leads, and the probes' states get
shorter (names under one "live", then a count) before the finding is cut; a probe that is not
plainly live is always named with its state."""

from __future__ import annotations

from textual.content import Content

from perftui.ui.widgets.header import AppState, header_lines
from perftui.views.snapshot import HeaderView, ProbeView

FINDING = "CRITICAL /srv/data/orders.db: 11.0k/s reads of 191 B each on average · 2 more"


def second_line(width: int, *probes: ProbeView, finding: str | None = FINDING) -> str:
    view = HeaderView(pid=4242, status="running", state="S", command="python3 worker.py",
                      user="alice", uptime_s=60.0, threads=5, self_cpu_percent=0.8,
                      probes=probes, exit_detail="")
    lead = Content(finding) if finding else None
    line = header_lines(view, AppState(1.0), width, lead).plain.splitlines()[1]
    assert len(line) <= width
    return line


def live(name: str) -> ProbeView:
    return ProbeView(name, "live", "", (), 0)


LIVE = (live("procfs"), live("pyspy"), live("ebpf"))


def test_wide_every_probe_is_named_with_its_state() -> None:
    line = second_line(200, *LIVE)
    assert FINDING in line and "procfs live  pyspy live  ebpf live" in line


def test_at_135_cells_live_probes_share_one_live() -> None:
    line = second_line(135, *LIVE)
    assert FINDING in line and "procfs pyspy ebpf live" in line


def test_at_80_cells_the_finding_is_cut_and_the_probes_are_counted() -> None:
    line = second_line(80, *LIVE)
    assert "3 probes live" in line
    assert line.startswith(" CRITICAL /srv/data/orders.db") or "CRITICAL /srv/" in line
    assert "…" in line and "perftui" in line


def test_a_stale_probe_is_named_even_when_the_rest_are_counted() -> None:
    stale = ProbeView("pyspy", "stale", "no data for 9 s", (), 0)
    line = second_line(100, live("procfs"), stale, live("ebpf"))
    assert "pyspy ⏸ stale: no data for 9 s" in line and "2 probes live" in line


def test_without_a_finding_nothing_changes() -> None:
    assert "procfs live  pyspy live  ebpf live" in second_line(80, *LIVE, finding=None)


def test_recording_at_80_cells_keeps_perftuis_own_cpu_and_the_names_end() -> None:
    view = HeaderView(pid=4242, status="running", state="S", command="python3 worker.py",
                      user="alice", uptime_s=60.0, threads=5, self_cpu_percent=0.8,
                      probes=LIVE, exit_detail="")
    state = AppState(1.0, recording="/home/alice/perftui-host-4242-20261130-235757.perftui",
                     recorded=10_854)
    line = header_lines(view, state, 80).plain.splitlines()[1]
    assert len(line) <= 80 and "● REC" in line and "235757.perftui" in line
    assert line.rstrip().endswith("perftui 0.8%  refresh 1 s"), line
    assert "10.6 KiB" in line and ("probes live" in line or "procfs" in line), line
