"""The wheel as a user gets it: it carries everything perftui runs and prints, names nothing
outside ``perftui``, and, installed into a fresh venv of the distribution's Python without
system site packages, works as root and as an unprivileged user: ``--version``, ``doctor``
(py-spy found next to the venv's interpreter, bcc loaded from the system's dist-packages),
a 3-second ``record`` of a small Python program and ``report`` on it.

Slow (builds the wheel, installs its dependencies from PyPI): marked ``install``.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.install.conftest import Installed, User
from tests.support.paths import REPO

pytestmark = pytest.mark.install

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Busy for as long as it lives: CPU for procfs, Python frames for py-spy.
TARGET = ("import hashlib\n"
          "def spin():\n"
          "    while True: hashlib.sha256(b'x' * 65536).digest()\n"
          "print('ready', flush=True)\n"
          "spin()\n")


def shipped(top: str) -> set[str]:
    """Files under ``top`` (through links) the wheel must hold, as wheel paths."""
    return {os.path.relpath(os.path.join(d, f), REPO)
            for d, _, files in os.walk(REPO / top, followlinks=True) for f in files
            if "__pycache__" not in d and not f.endswith(".pyc")}


def test_the_wheel_holds_everything_and_only_perftui(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = shipped("perftui")
    # The probes, their BPF C, the themes, the header-tree script doctor points at, the docs.
    for must in ("perftui/probes/procfs/__main__.py", "perftui/probes/ebpf/probe.bpf.c",
                 "perftui/themes/perftui-dark.toml", "perftui/ui/app.tcss",
                 "perftui/probes/setup-bcc.sh", "perftui/docs/report-json.md"):
        assert must in wanted, must
    missing = sorted(wanted - names)
    assert not missing, f"not in the wheel (pyproject's packages or package-data?): {missing}"
    assert {n.split("/")[0] for n in names} == {"perftui", "perftui-0.1.0.dist-info"}


def test_nothing_but_perftui_lands_in_site_packages(installed: Installed) -> None:
    ours = {p.name for p in installed.site_packages.iterdir()
            if p.name.startswith(("perftui", "probes", "themes"))}
    assert ours == {"perftui", "perftui-0.1.0.dist-info"}, ours
    assert not (installed.site_packages / "probes").exists()
    assert not (installed.site_packages / "themes").exists()


def run_as(who: User | None, argv: list[str], cwd: Path,
           timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``argv`` from a login-like environment: PATH without the venv (not activated), as
    root or as ``who``; wide, so help text keeps a long path on one line."""
    return subprocess.run(argv, cwd=cwd, env=login_env(who, cwd), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          preexec_fn=become(who))


def login_env(who: User | None, cwd: Path) -> dict[str, str]:
    return {"PATH": SAFE_PATH, "HOME": str(cwd if who else "/root"), "LANG": "C.UTF-8",
            "COLUMNS": "500"}


def become(who: User | None) -> Callable[[], None]:
    def drop() -> None:
        if who is not None:
            os.setgroups([])
            os.setgid(who.gid)
            os.setuid(who.uid)
    return drop


@pytest.fixture
def spinner(installed: Installed, who: tuple[User | None, Path]) -> Iterator[int]:
    """A small busy Python program of the same user, running: its pid."""
    user, cwd = who
    proc = subprocess.Popen([installed.python, "-c", TARGET], cwd=cwd, stdout=subprocess.PIPE,
                            text=True, env=login_env(user, cwd), preexec_fn=become(user))
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.fixture(params=["root", "user"])
def who(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[User | None, Path]:
    """(None and a directory for root) or (the unprivileged user and its directory)."""
    if request.param == "root":
        if os.geteuid() != 0:
            pytest.skip("needs root")
        return None, tmp_path
    user: User = request.getfixturevalue("unprivileged")
    return user, user.home


def test_version_and_doctor(installed: Installed, who: tuple[User | None, Path]) -> None:
    user, cwd = who
    v = run_as(user, [installed.perftui, "--version"], cwd)
    assert (v.returncode, v.stdout.strip()) == (0, "perftui 0.1.0"), v.stderr
    d = run_as(user, [installed.perftui, "doctor"], cwd)
    assert d.returncode == 0, d.stdout + d.stderr
    rows = doctor_rows(d.stdout)
    beside = installed.venv / "bin" / "py-spy"
    assert rows["py-spy"][0] == "ok", d.stdout
    assert rows["py-spy"][1].endswith(f": {beside} (next to perftui's interpreter)"), d.stdout
    bcc = Path("/usr/lib/python3/dist-packages/bcc")
    if (bcc / "libbcc.py").is_file():  # Debian's python3-bpfcc, which the venv cannot import
        assert rows["bcc module"][0] == "ok", d.stdout
        assert rows["bcc module"][1].startswith(f"{bcc} (the system's dist-packages"), d.stdout
    if user is None and rows["kernel headers"][0] == "ok":  # then eBPF works from the venv
        assert rows["bcc compile"][0] == "ok", d.stdout


def doctor_rows(table: str) -> dict[str, tuple[str, str]]:
    """doctor's table as {check: (status, detail)}, a detail's wrapped lines joined."""
    rows: dict[str, tuple[str, str]] = {}
    last = ""
    for line in table.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) != 3:
            continue
        if cells[0]:
            last = cells[0]
            rows[last] = (cells[1], cells[2])
        elif last:
            rows[last] = (rows[last][0], f"{rows[last][1]} {cells[2]}")
    return rows


def test_record_three_seconds_then_report(installed: Installed, who: tuple[User | None, Path],
                                          spinner: int) -> None:
    user, cwd = who
    session = cwd / "s.perftui"
    rec = run_as(user, [installed.perftui, "record", "-d", "3", "-o", str(session), "-p",
                        str(spinner)], cwd)
    assert rec.returncode == 0 and "(duration reached)" in rec.stdout, rec.stdout + rec.stderr
    rep = run_as(user, [installed.perftui, "report", "--json", str(session)], cwd)
    assert rep.returncode == 0, rep.stderr
    report = json.loads(rep.stdout)
    assert report["pid"] == spinner and report["samples"] >= 2, (rec, report)
    assert 1.0 <= report["duration_s"] <= 4.0 and report["cpu"]["avg_percent"] > 1, report
    # py-spy (next to the venv's interpreter) sampled the target's Python frames.
    functions = [f["name"] for f in report.get("functions", [])]
    assert any(name.startswith("spin ") for name in functions), (functions, rec.stderr)
    table = run_as(user, [installed.perftui, "report", str(session)], cwd)
    assert table.returncode == 0 and "spin (" in table.stdout, table.stdout + table.stderr


def test_report_help_names_the_installed_docs(installed: Installed) -> None:
    r = run_as(None, [installed.perftui, "report", "-h"], Path("/"))
    doc = installed.site_packages / "perftui" / "docs" / "report-json.md"
    assert r.returncode == 0 and str(doc) in r.stdout, r.stdout
    assert doc.is_file()
