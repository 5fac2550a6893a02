"""perftui's figures on programs nobody here wrote, next to what the reference tools say:
sqlite3's writes to its database and journal (strace), gzip's input and output bytes (the
files' sizes) and its native hot code (Debian's gzip is stripped: offsets in the binary)."""

from __future__ import annotations

import collections
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from perftui.model.model import Model
from perftui.model.syscalls import CLOSED_LINGER_S
from perftui.session.reader import SessionReader
from perftui.views.snapshot import build_snapshot
from tests.support.cli import has_frame, perftui, samples_in, start_record, wait_samples
from tests.support.httpserver import recorded_server, serving
from tests.support.launch import report
from tests.support.skips import bcc_and_headers_missing, bcc_missing

needs_bcc = pytest.mark.skipif(bcc_missing() is not None, reason=bcc_missing() or "")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (scripts/install-deps.sh --test installs it)")
    return path


def strace_writes(argv: list[str], cwd: Path) -> collections.Counter[str]:
    """Bytes written per path, as strace -y reports each write/pwrite64 and its result."""
    log = cwd / "strace.log"
    subprocess.run([_tool("strace"), "-f", "-y", "-e", "trace=write,pwrite64", "-o",
                    str(log), *argv], cwd=cwd, check=True, capture_output=True)
    out: collections.Counter[str] = collections.Counter()
    for line in log.read_text().splitlines():
        m = re.search(r"(?:write|pwrite64)\(\d+<([^>]+)>.*= (\d+)$", line)
        if m:
            out[m.group(1)] += int(m.group(2))
    return out


@needs_bcc
def test_sqlite3_writes_by_path_match_strace(tmp_path: Path) -> None:
    sqlite3 = _tool("sqlite3")
    script = tmp_path / "ins.sql"
    script.write_text("PRAGMA journal_mode=DELETE;\nCREATE TABLE t(id INTEGER PRIMARY KEY, v);\n"
                      + "".join(f"INSERT INTO t(v) VALUES ('row {i} {'x' * 40}');\n"
                                for i in range(1000)))
    truth = strace_writes([sqlite3, "ref.db", f".read {script}"], tmp_path)
    out = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(out), "--probes", "procfs,ebpf", "--", "sh", "-c",
                   f"cd {tmp_path} && exec {sqlite3} got.db '.read {script}'")
    assert done.returncode == 0, done.stderr
    files = {f["path"]: f["write_bytes"] for f in report(out)["files"]}
    for suffix in (".db", ".db-journal"):
        want = truth[str(tmp_path / f"ref{suffix}")]
        assert want > 100_000
        assert files[str(tmp_path / f"got{suffix}")] == pytest.approx(want, rel=0.01)


@needs_bcc
@pytest.mark.skipif(bool(bcc_and_headers_missing()), reason=bcc_and_headers_missing() or "ok")
def test_gzip_bytes_exact_and_its_stripped_hot_code_by_offset(tmp_path: Path) -> None:
    gzip = _tool("gzip")
    data = tmp_path / "big.txt"
    r = random.Random(7)
    words = [bytes(r.choice(b"abcdefghij") for _ in range(r.randint(2, 9)))
             for _ in range(5000)]
    # About 70 MB, 3 s of gzip: its native frames are named while it lives (symbols are
    # read from its memory map, gone once it exits; a shorter life may leave them unnamed).
    with data.open("wb") as f:
        for _ in range(60):
            f.write(b" ".join(r.choice(words) for _ in range(150_000)))
    out = tmp_path / "s.perftui"
    done = perftui("record", "-o", str(out), "--probes", "procfs,ebpf,stacks", "--", gzip,
                   "-k", "-f", str(data), timeout=120)
    assert done.returncode == 0, done.stderr
    rep = report(out)
    files = {f["path"]: f for f in rep["files"]}
    assert files[str(data)]["read_bytes"] == data.stat().st_size
    packed = Path(f"{data}.gz")
    assert files[str(packed)]["write_bytes"] == packed.stat().st_size
    assert rep["functions_from"] == "stacks"
    # gzip's own code (not the kernel's, not libc's), by offset in the binary, is the hot
    # part: its rows are "gzip+0x4330 (gzip)", not one "[unknown]".
    own = [f for f in rep["functions"] if f["name"].endswith("(gzip)")]
    assert len(own) >= 3 and rep["functions"][0] in own, rep["functions"][:5]
    assert all(re.fullmatch(r"gzip\+0x[0-9a-f]+ \(gzip\)", f["name"]) for f in own), own
    folded = perftui("export", "--format", "folded", str(out))
    assert folded.returncode == 0 and "gzip+0x" in folded.stdout


@needs_bcc
def test_http_server_under_ab_bytes_and_accepts_match_ab(tmp_path: Path) -> None:
    """python3 -m http.server serving a 100 KiB file to ``ab -n 2000 -c 8``: the bytes it
    sent within 1 % of ab's "Total transferred", its accepts ab's requests, its clients
    rolled up under its port; once the load stops the closed connections leave the live
    view and their bytes stay in the totals."""
    ab = _tool("ab")
    www = tmp_path / "www"
    www.mkdir()
    body = www / "f100k.bin"
    body.write_bytes(random.Random(3).randbytes(100 * 1024))
    out = tmp_path / "s.perftui"
    with recorded_server(www, out) as port:
        run = subprocess.run([ab, "-q", "-n", "2000", "-c", "8",
                              f"http://127.0.0.1:{port}/f100k.bin"],
                             capture_output=True, text=True, timeout=120, check=True)
        time.sleep(CLOSED_LINGER_S + 2)  # idle: closed connections age out of the view
    said = dict(re.findall(r"^([A-Z][\w ]+):\s+([\d.]+)", run.stdout, re.M))
    assert int(said["Complete requests"]) == 2000 and int(said["Failed requests"]) == 0
    transferred = int(said["Total transferred"])
    rep = report(out)
    assert rep["net"]["counted_by"] == "ebpf"
    assert rep["net"]["sent_bytes"] == transferred  # to the byte, over 2000 connections
    files = {f["path"]: f for f in rep["files"]}
    assert files["(sockets)"]["write_bytes"] == pytest.approx(transferred, rel=0.01)
    assert files[str(body)]["read_bytes"] == 2000 * body.stat().st_size
    accepts = sum(s["count"] for s in rep["syscalls"] if s["name"] in ("accept", "accept4"))
    assert accepts == pytest.approx(2000, rel=0.02)
    clients = rep["net"]["peers"][0]
    assert (clients["peer"], clients["role"]) == (f"clients of :{port}", "server")
    assert clients["sent_bytes"] == transferred
    assert 2000 <= clients["connections"] <= accepts  # (and the test's "is it up?" ones)
    # The connections sock_diag happened to see mid-request: closed by the end, with the
    # bytes the probe counted (not the 0 of that one sighting, nor "ESTABLISHED")
    per_request = transferred // 2000
    for c in rep["net"]["connections"]:
        assert c["state"] == "LISTEN" or (c["state"] == "CLOSE" and c["sent_bytes"] in (
            0, per_request)), c  # (0: the test's "is it up?" connections)
    net = build_snapshot(model_of(out)).net
    assert [c for c in net.connections if c.state not in ("ESTABLISHED", "LISTEN")] == []
    assert net.peers[0].sent_total == transferred and net.peers[0].open == 0


@needs_bcc
def test_sockets_open_before_the_attach_stay_in_view_beside_the_ones_seen(
        tmp_path: Path) -> None:
    """Attached to a server that already listens and holds an idle connection: once the
    probe has seen other connections move bytes, the listener and the held connection are
    still rows, and the open TCP count is the kernel's (what ss lists for the process)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "-b",
                               "127.0.0.1", "-d", str(tmp_path)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    out = tmp_path / "s.perftui"
    try:
        deadline = time.monotonic() + 30
        while not serving(port):
            assert time.monotonic() < deadline, "no server"
            time.sleep(0.1)
        held = socket.create_connection(("127.0.0.1", port))
        held_at = f"127.0.0.1:{held.getsockname()[1]}"
        rec = start_record("-o", str(out), "--probes", "procfs,ebpf", "-p", str(server.pid))
        deadline = time.monotonic() + 60
        while not has_frame(out, "ebpf", "caps"):
            assert time.monotonic() < deadline and rec.poll() is None, rec.stderr
            time.sleep(0.2)
        for _ in range(3):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as reply:
                reply.read()
        wait_samples(out, len(samples_in(out)) + 2)
        # what the kernel lists open for the server now (ss -tp): the listener, the held one
        open_tcp = sorted(c.status for c in psutil.Process(server.pid).net_connections("tcp"))
        rec.send_signal(signal.SIGINT)
        rec.communicate(timeout=30)
        held.close()
    finally:
        server.kill()
        server.wait()
    net = build_snapshot(model_of(out)).net
    rows = {(c.local, c.remote): c.state for c in net.connections}
    assert rows.get((f"127.0.0.1:{port}", held_at)) == "ESTABLISHED", rows
    assert rows.get((f"127.0.0.1:{port}", "0.0.0.0:0")) == "LISTEN", rows
    assert len(rows) >= 3, rows  # and the requests' connections, seen by the probe
    assert open_tcp == ["ESTABLISHED", "LISTEN"] and net.tcp == len(open_tcp), net.tcp
    clients = next(p for p in net.peers if p.name == f"clients of :{port}")
    assert clients.open == 1 and clients.connections >= 3, clients


def model_of(session: Path) -> Model:
    """The model a replay of ``session`` ends with."""
    model = Model()
    with SessionReader(str(session)) as reader:
        for stream, _raw, frame in reader.frames():
            model.apply(stream, frame)
    return model
