"""Files perftui reads or writes that someone else shaped: FIFOs, links, crafted sessions."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.paths import REPO

SESSION = REPO / "tests" / "golden" / "sessions" / "python_hot.perftui"
sys.path.insert(0, str(REPO / "bench"))
from fuzz_sessions import crafted_nan, crafted_tiny_frames  # noqa: E402

_MEASURED = (
    # VmHWM, not ru_maxrss: the latter keeps the peak of the (large) pytest it forked from.
    "import re, runpy, sys\n"
    "out = sys.argv.pop(1)\n"
    "try:\n"
    "    runpy.run_module('perftui', run_name='__main__', alter_sys=True)\n"
    "finally:\n"
    "    hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())\n"
    "    open(out, 'w').write(hwm.group(1) if hwm else '0')\n"
)


def run(*args: str, timeout: float = 30) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """(result, seconds, peak RSS in MiB) of ``perftui ARGS`` in a process of its own."""
    rss_file = Path(os.environ.get("TMPDIR", "/tmp")) / \
        f"perftui-rss-{os.getpid()}-{time.monotonic_ns()}"
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", _MEASURED, str(rss_file), *args], cwd=REPO,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout)
    took = time.monotonic() - t0
    try:
        rss = int(rss_file.read_text()) / 1024
        rss_file.unlink()
    except (OSError, ValueError):
        rss = 0.0
    return r, took, rss


# -- what perftui writes ---------------------------------------------------------------------

def test_export_never_follows_a_link_nor_overwrites(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    r, _, _ = run("export", str(SESSION), "--format", "json", "-o", str(link))
    assert r.returncode == 2 and "already exists" in r.stderr
    r, _, _ = run("export", str(SESSION), "--format", "json", "-o", str(link), "--force")
    assert r.returncode == 2 and "symbolic link" in r.stderr
    assert victim.read_text() == "precious\n" and link.is_symlink()

    existing = tmp_path / "old.json"
    existing.write_text("old\n")
    r, _, _ = run("export", str(SESSION), "--format", "json", "-o", str(existing))
    assert r.returncode == 2 and existing.read_text() == "old\n"
    r, _, _ = run("export", str(SESSION), "--format", "json", "-o", str(existing), "--force")
    assert r.returncode == 0 and json.loads(existing.read_text())["pid"]
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600

    new = tmp_path / "new.txt"
    r, _, _ = run("export", str(SESSION), "--format", "folded", "-o", str(new))
    assert r.returncode == 0 and stat.S_IMODE(new.stat().st_mode) == 0o600
    assert "hot_a" in new.read_text()


# -- what perftui reads ----------------------------------------------------------------------

@pytest.mark.parametrize("verb", ["report", "export", "diff", "replay"])
def test_a_fifo_as_a_session_file_is_refused_at_once(tmp_path: Path, verb: str) -> None:
    fifo = tmp_path / "s.perftui"
    os.mkfifo(fifo)
    args = {"report": ["report", str(fifo)],
            "export": ["export", str(fifo), "--format", "json"],
            "diff": ["diff", str(SESSION), str(fifo), "--json"],
            "replay": ["replay", str(fifo)]}[verb]
    r, took, _ = run(*args, timeout=20)  # before: blocked in open() until someone wrote
    assert r.returncode == 2 and "is a FIFO" in r.stderr, r.stderr
    assert took < 10


def test_a_chunk_of_millions_of_tiny_frames_costs_little(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.perftui"
    bomb.write_bytes(crafted_tiny_frames(10_000_000))
    assert bomb.stat().st_size < 200_000
    r, took, rss = run("report", "--json", str(bomb))
    assert r.returncode in (0, 2), r.stderr
    assert "Traceback" not in r.stderr
    assert took < 10 and rss < 150, (took, rss)  # before: 14 s and 815 MiB


def test_garbage_after_the_header_is_read_once(tmp_path: Path) -> None:
    from perftui.session import SessionReader

    good = SESSION.read_bytes()
    with SessionReader(str(SESSION)) as r:
        start = r.data_start
    data = bytearray(os.urandom(10 << 20))
    for i in range(0, len(data) - 2, 4096):  # block markers everywhere, none real
        data[i:i + 2] = b"Pc"
    junk = tmp_path / "junk.perftui"
    junk.write_bytes(good[:start] + bytes(data) + good[start:])
    r, took, _ = run("report", "--json", str(junk), timeout=60)
    assert r.returncode == 0 and "damaged" in r.stderr, r.stderr
    assert json.loads(r.stdout)["samples"] > 0  # the real chunks after the garbage are found
    assert took < 10, took  # before: 86 s, each resync re-reading 256 KiB


def test_nan_and_infinity_become_null_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "nan.perftui"
    path.write_bytes(crafted_nan(SESSION.read_bytes()))
    for args in (["report", "--json", str(path)], ["export", str(path), "--format", "json"],
                 ["diff", str(path), str(path), "--json"]):
        r, _, _ = run(*args)
        assert r.returncode in (0, 1), r.stderr

        def refuse(word: str) -> None:
            raise ValueError(f"{word} in the JSON")

        json.loads(r.stdout, parse_constant=refuse)  # strict JSON, or this raises
        assert "not finite" in r.stderr, (args, r.stderr)


def test_a_threshold_that_is_not_a_number_is_refused() -> None:
    for bad in ("nan", "inf", "-1"):
        r, _, _ = run("diff", str(SESSION), str(SESSION), "--threshold", bad)
        assert r.returncode == 2 and "--threshold" in r.stderr, (bad, r.stderr)


def test_fuzz_bench_runs_clean_on_a_few_hundred_cases() -> None:
    """The 10 000-case run is bench/fuzz_sessions.py; the suite keeps a quick slice."""
    r = subprocess.run([sys.executable, str(REPO / "bench" / "fuzz_sessions.py"), "--cases",
                        "200", "--seed", "3"], capture_output=True, text=True, timeout=300,
                       cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "traceback 0, hang 0" in r.stdout
