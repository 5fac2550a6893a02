"""The eBPF probe against real targets: real BPF programs, exact counts, clean unloading.

Each target (tests/targets/syscall_target.py) blocks in sigwait until the probe is ready,
then makes a known set of system calls and exits; the probe's last ``sys`` frame before
``gone`` must show them exactly, over the target's own op-independent calls (the ``idle``
baseline).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from perftui.probes import bccenv, companions, tracefs
from tests.support.paths import REPO, TARGETS
from tests.support.probe_frames import ProbeFrames
from tests.support.probes import READY_TIMEOUT
from tests.support.skips import bcc_missing

TARGET = TARGETS / "syscall_target.py"
INTERVAL = 0.1

Frame = dict[str, Any]

needs_bpf = pytest.mark.skipif(bcc_missing() is not None, reason=str(bcc_missing()))
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: tracefs, perf events")
pytestmark = pytest.mark.root


class Probe(ProbeFrames):
    """A running ``python -m perftui.probes.ebpf`` and the frames it has written so far."""

    def __init__(self, pid: int, *args: str, module: str = "perftui.probes.ebpf",
                 env: dict[str, str] | None = None,
                 argv: list[str] | None = None) -> None:
        cmd = argv or [sys.executable, "-m", module, "--pid", str(pid),
                       "--interval", str(INTERVAL), *args]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=REPO,
                                     env={**os.environ, **(env or {})})
        super().__init__(self.proc)

    def failure_detail(self) -> str:
        err = self.proc.stderr.read().decode() if self.proc.stderr else ""
        return err[-2000:]

    def ready(self) -> Frame:
        return self.wait_for(lambda f: f["k"] == "caps", READY_TIMEOUT)

    def finish(self, timeout: float = 20.0) -> int:
        try:
            self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(5)
        return self.proc.returncode

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


@dataclass
class Totals:
    """The last ``sys`` frame before ``gone``, with interned names resolved."""

    calls: dict[str, int] = field(default_factory=dict)
    errors: dict[str, dict[int, int]] = field(default_factory=dict)
    lat: dict[str, list[int]] = field(default_factory=dict)
    time: dict[str, float] = field(default_factory=dict)
    files: dict[str, list[int]] = field(default_factory=dict)
    late: set[str] = field(default_factory=set)  # names read from /proc
    iosize: dict[str, list[int]] = field(default_factory=dict)
    conns: list[list[Any]] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    caps: Frame = field(default_factory=dict)
    lat_every: list[int] = field(default_factory=list)  # of every sys frame


def totals(frames: list[Frame]) -> Totals:
    strs: dict[int, str] = {}
    last: Frame | None = None
    out = Totals()
    conns: dict[int, list[Any]] = {}  # a closed connection is in one frame only: keep it
    for f in frames:
        strs.update(f.get("strs", {}))
        if f["k"] == "sys":
            last = f
            out.lat_every.append(f.get("lat_every", 0))
            conns.update((row[0], row) for row in f.get("conns", []))
        if f["k"] == "caps":
            out.caps = f
    assert last is not None, [f["k"] for f in frames]
    out.calls = {strs[k]: v for k, v in last["calls"].items()}
    out.errors = {strs[k]: v for k, v in last.get("errors", {}).items()}
    out.lat = {strs[k]: v for k, v in last.get("lat", {}).items()}
    out.time = {strs[k]: v for k, v in last.get("time", {}).items()}
    out.files = {strs[row[0]]: row[1:5] for row in last.get("files", [])}
    out.late = {strs[row[0]] for row in last.get("files", []) if row[5:6] == [1]}
    out.iosize = last.get("iosize", {})
    out.conns = list(conns.values())
    out.frames = list(frames)
    return out


def run_target(op: str, *args: str, probe_args: tuple[str, ...] = (),
               env: dict[str, str] | None = None, module: str = "perftui.probes.ebpf") -> Totals:
    """Start the target, attach the probe, let the target run ``op`` and exit."""
    target = subprocess.Popen([sys.executable, str(TARGET), op, *args],
                              stdout=subprocess.PIPE, text=True)
    probe = None
    try:
        assert target.stdout is not None and target.stdout.readline().strip() == "ready"
        probe = Probe(target.pid, *probe_args, env=env, module=module)
        probe.ready()
        # One interval more: the first frame also proves the program counts by now.
        probe.wait_for(lambda f: f["k"] == "sys")
        target.send_signal(signal.SIGUSR1)
        assert target.wait(60) == 0
        probe.wait_for(lambda f: f["k"] == "gone")
        assert probe.finish() == 0
        return totals(probe.frames)
    finally:
        if target.poll() is None:
            target.kill()
            target.wait()
        if probe is not None:
            probe.stop()


@pytest.fixture(scope="module")
def baseline() -> Totals:
    """What the target does besides its op (the same for every op)."""
    if bcc_missing():
        pytest.skip(str(bcc_missing()))
    return run_target("idle")


# --- syscalls ----------------------------------------------------------------------------

@needs_bpf
def test_reads_are_counted_exactly_with_their_bytes(tmp_path: Path, baseline: Totals) -> None:
    n, size = 1000, 4096
    path = tmp_path / "data"
    path.write_bytes(os.urandom(n * size))
    t = run_target("read", str(n), str(size), str(path), probe_args=("--exact-latency",))
    assert t.caps["source"] == "bpf" and all(c["ok"] for c in t.caps["caps"].values())
    assert t.calls["read"] == n + baseline.calls.get("read", 0)
    assert t.files[str(path)] == [n * size, 0, n, 0]
    assert str(path) not in t.late  # the probe saw it opened
    # 4096 bytes: log2 bucket 13 holds [4096, 8192)
    assert t.iosize["read"][13] >= n
    assert sum(t.lat["read"]) == t.calls["read"]


@needs_bpf
def test_a_file_opened_before_the_probe_is_named_from_proc_and_says_so(
        tmp_path: Path) -> None:
    path = tmp_path / "early"
    path.write_bytes(b"e" * 8000)
    t = run_target("early", "4", "2000", str(path))
    assert t.files[str(path)] == [8000, 0, 4, 0]
    assert str(path) in t.late


@needs_bpf
def test_failed_opens_are_counted_by_errno(baseline: Totals) -> None:
    n = 250
    t = run_target("enoent", str(n))
    before = baseline.errors.get("openat", {}).get(errno.ENOENT, 0)
    assert t.errors["openat"][errno.ENOENT] == n + before
    assert t.calls["openat"] == n + baseline.calls.get("openat", 0)


@needs_bpf
def test_sleep_latency_lands_in_its_log2_bucket(baseline: Totals) -> None:
    n = 5
    t = run_target("sleep", str(n), "20")
    lat = t.lat["clock_nanosleep"] + [0] * 40
    # 20 ms = 2**24.25 ns: bucket 25 holds [2**24, 2**25) ns = [16.8, 33.6) ms.  A sleep
    # overslept on a loaded machine may reach the next bucket; none can be shorter.
    assert sum(lat[:25]) == 0
    assert lat[25] + lat[26] == n
    assert lat[25] >= n - 1
    assert t.time["clock_nanosleep"] >= n * 0.020


@needs_bpf
def test_hot_target_latency_is_sampled_without_bias(baseline: Totals) -> None:
    n, sleeps = 1_500_000, 5
    t = run_target("hot", str(n), str(sleeps))
    assert max(t.lat_every) >= 8  # > 50 000 syscalls/s: one call in 8 or fewer timed
    assert t.calls["read"] == n + baseline.calls.get("read", 0)
    # every timed call counts 1 << shift: the estimate of the read count stays close
    assert abs(sum(t.lat["read"]) - t.calls["read"]) < 0.02 * t.calls["read"]
    # a call that blocks is always timed (weight 1), sampled or not
    lat = t.lat["clock_nanosleep"] + [0] * 40
    # 20 ms sleeps: 16.8-134 ms (buckets 25-27; a loaded machine may wake them late); the
    # target's 0.5 s linger before it exits is in bucket 29
    assert sum(lat[25:28]) == sleeps


@needs_bpf
def test_tcp_pair_bytes_per_connection() -> None:
    total = 3_000_000
    t = run_target("tcp", str(total))
    tcp = [row for row in t.conns if row[1] == "tcp"]
    client = [row for row in tcp if row[5] == total]
    server = [row for row in tcp if row[6] == total]
    assert len(client) == 1 and len(server) == 1, tcp
    c, s = client[0], server[0]
    # [id, kind, local, remote, state, sent, received, sends, receives, opened, closed]
    assert c[6] == 0 and s[5] == 0
    assert c[2] == s[3] and c[3] == s[2] and c[2].startswith("127.0.0.1:")
    assert c[9] is not None  # connect() was seen: the probe knows when it opened
    assert c[10] is not None and c[4] == "CLOSE"


@needs_bpf
def test_accepted_connection_is_named_while_it_stays_open() -> None:
    """Accepted before the probe and never changing state while watched: the BPF program
    sees no address for it; the probe names it from sock_diag by the fd's inode."""
    recv, send = 100_000, 50_000
    target = subprocess.Popen([sys.executable, str(REPO / "tests/targets/tcp_accept.py"),
                               str(recv), str(send)], stdout=subprocess.PIPE, text=True)
    probe = None
    client = None
    try:
        assert target.stdout is not None
        word, port = target.stdout.readline().split()
        assert word == "listening"
        client = socket.create_connection(("127.0.0.1", int(port)))
        assert target.stdout.readline().strip() == "ready"
        probe = Probe(target.pid)
        probe.ready()
        probe.wait_for(lambda f: f["k"] == "sys")
        target.send_signal(signal.SIGUSR1)
        time.sleep(0.3)  # the target waits in recv(), off the CPU, as servers do
        client.sendall(b"x" * recv)
        frame = probe.wait_for(lambda f: f["k"] == "sys" and any(
            row[5] == send and row[6] == recv for row in f.get("conns", [])))
        row = next(r for r in frame["conns"] if r[6] == recv)
        # [id, kind, local, remote, state, sent, received, sends, receives, opened, closed]
        here = client.getsockname()
        assert row[1:5] == ["tcp", f"127.0.0.1:{port}", f"{here[0]}:{here[1]}", "ESTABLISHED"]
        assert row[9] is None and row[10] is None  # accepted: no connect() seen; still open
        assert target.poll() is None  # the frame came before the target's exit closed it
    finally:
        if client is not None:
            client.close()
        if target.poll() is None:
            target.kill()
            target.wait()
        if probe is not None:
            probe.stop()


@needs_bpf
def test_reused_fd_keeps_each_files_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"a" * 1000)
    b.write_bytes(b"b" * 1000)
    t = run_target("reuse", "1000", str(a), str(b), "0.5")
    assert t.files[str(a)] == [1000, 0, 1, 0]
    assert t.files[str(b)] == [1000, 0, 1, 0]


@needs_bpf
def test_files_closed_within_one_interval_keep_their_bytes_and_names(
        tmp_path: Path) -> None:
    """Two files on the same fd number, each opened, read and closed between two readings:
    open's path, read by the BPF program at the call, names each (once only (fd N,
    closed), both summed)."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"a" * 1000)
    b.write_bytes(b"b" * 1000)
    t = run_target("reuse", "1000", str(a), str(b), "0")
    assert t.files[str(a)] == [1000, 0, 1, 0] and t.files[str(b)] == [1000, 0, 1, 0]
    assert not [p for p in t.files if p.startswith("(fd ")], t.files


@needs_bpf
def test_counts_only_mode(tmp_path: Path) -> None:
    n = 300
    path = tmp_path / "data"
    path.write_bytes(b"\0" * n)
    base = run_target("idle", probe_args=("--detail", "counts"))
    t = run_target("read", str(n), "1", str(path), probe_args=("--detail", "counts"))
    assert t.calls["read"] == n + base.calls.get("read", 0)
    assert not t.caps["caps"]["latency"]["ok"] and t.caps["caps"]["syscalls"]["ok"]
    assert not t.lat and not t.files


# --- per thread --------------------------------------------------------------------------

THREADS_TARGET = TARGETS / "thread_syscalls.py"


@dataclass
class Split:
    """The ``bythread`` rows of a whole run, folded: the latest row per (tid, syscall)."""

    tid_a: int
    tid_b: int
    frames: list[Frame]
    rows: dict[tuple[int, str], list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        strs: dict[int, str] = {}
        for f in self.frames:
            strs.update(f.get("strs", {}))
            for tid, sid, *rest in f.get("bythread", []) if f["k"] == "sys" else []:
                self.rows[(tid, strs[sid])] = rest  # [calls, seconds, errors, first]

    def of(self, syscall: str) -> dict[int, list[Any]]:
        return {tid: row for (tid, name), row in self.rows.items() if name == syscall}


def run_threads(a: int, b: int, fails: int, *probe_args: str,
                module: str = "perftui.probes.ebpf") -> Split:
    """tests/targets/thread_syscalls.py under the probe, from before its calls to its exit."""
    target = subprocess.Popen([sys.executable, str(THREADS_TARGET), str(a), str(b), str(fails)],
                              stdout=subprocess.PIPE, text=True)
    probe = None
    try:
        assert target.stdout is not None
        word, tid_a, tid_b = target.stdout.readline().split()
        assert word == "ready"
        probe = Probe(target.pid, *probe_args, module=module)
        probe.ready()
        probe.wait_for(lambda f: f["k"] == "sys")
        target.send_signal(signal.SIGUSR1)
        assert target.wait(60) == 0
        probe.wait_for(lambda f: f["k"] == "gone")
        assert probe.finish() == 0
        return Split(int(tid_a), int(tid_b), probe.frames)
    finally:
        if target.poll() is None:
            target.kill()
            target.wait()
        if probe is not None:
            probe.stop()


@needs_bpf
def test_calls_and_errors_per_thread_are_exact_below_the_sampling_rate() -> None:
    from perftui.model import Model
    from perftui.views.snapshot import build_snapshot

    split = run_threads(3000, 1000, 200)
    assert {f.get("lat_every") for f in split.frames if f["k"] == "sys"} == {1}
    getppid, getpgid = split.of("getppid"), split.of("getpgid")
    # [calls, seconds, errors, first]: the interpreter makes neither call itself
    assert {tid: (r[0], r[2]) for tid, r in getppid.items()} == {
        split.tid_a: (3000, 0), split.tid_b: (1000, 0)}
    assert {tid: (r[0], r[2]) for tid, r in getpgid.items()} == {split.tid_b: (200, 200)}
    assert 0 < getppid[split.tid_a][1] < 3000 * 1e-3  # time spent: real, under 1 ms a call
    # The model folds the rows sent only on change into the same figures.
    m = Model()
    for f in split.frames:
        m.apply("ebpf", f)
    row = next(r for r in build_snapshot(m).syscalls.rows if r.name == "getppid")
    assert [(t.tid, t.share) for t in row.threads] == [(split.tid_a, 0.75),
                                                       (split.tid_b, 0.25)]
    assert sum(t.per_s for t in row.threads) * m.sys.threads.span() == pytest.approx(4000)


@needs_bpf
def test_threads_that_live_within_one_interval_are_summed_as_one_row() -> None:
    """50 threads one after another, 100 getppid each, all within one interval: one row per
    syscall under tid 0 with every call, no row of their own."""
    from perftui.model import Model
    from perftui.views.snapshot import build_snapshot

    t = run_target("short", "50", "100", probe_args=("--exact-latency",))
    rows = [r for f in (f for f in t.frames if f["k"] == "sys") for r in f.get("bythread", [])]
    strs: dict[int, str] = {}
    for f in t.frames:
        strs.update({int(k): v for k, v in f.get("strs", {}).items()})
    getppid = [r for r in rows if strs.get(r[1]) == "getppid"]
    assert {r[0] for r in getppid} == {0}
    assert max(r[2] for r in getppid) == 50 * 100
    m = Model()
    for f in t.frames:
        m.apply("ebpf", f)
    row = next(r for r in build_snapshot(m).syscalls.rows if r.name == "getppid")
    assert [(th.name, th.share) for th in row.threads] == [("(short-lived)", 1.0)]


@needs_root
def test_perf_fallback_counts_calls_per_thread() -> None:
    split = run_threads(3000, 1000, 0, module="perftui.probes.perfcount")
    assert {tid: r[:3] for tid, r in split.of("getppid").items()} == {
        split.tid_a: [3000, None, None], split.tid_b: [1000, None, None]}


@needs_bpf
def test_counts_mode_has_no_thread_split() -> None:
    split = run_threads(30, 10, 0, "--detail", "counts")
    assert split.rows == {}
    assert all("bythread" not in f for f in split.frames)


# --- the perf_event fallback -------------------------------------------------------------

@needs_root
@pytest.mark.parametrize("how", ["forced", "no-bcc"])
def test_perf_fallback_counts_reads_exactly(tmp_path: Path, how: str) -> None:
    n = 700
    path = tmp_path / "data"
    path.write_bytes(b"\0" * n * 8)
    kw: dict[str, Any] = ({"module": "perftui.probes.perfcount"} if how == "forced"
                          else {"env": {companions.NO_BCC_ENV: "1"}})
    base = run_target("idle", **kw)
    t = run_target("read", str(n), "8", str(path), **kw)
    assert t.caps["source"] == "perf"
    assert t.calls["read"] == n + base.calls.get("read", 0)
    assert not t.caps["caps"]["latency"]["ok"]


# --- unloading ---------------------------------------------------------------------------

def _prog_ids(pid: int) -> set[int]:
    """BPF programs a process holds, from its fds' fdinfo (programs and raw tp links)."""
    ids: set[int] = set()
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            text = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("prog_id:"):
                ids.add(int(line.split()[1]))
    return ids


def _loaded_prog_ids() -> set[int]:
    out = subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True,
                         text=True, check=True).stdout
    return {p["id"] for p in json.loads(out)}


def _wait_unloaded(ids: set[int], timeout: float = 10.0) -> set[int]:
    """The ids still loaded after ``timeout`` (freeing is deferred past the process exit)."""
    deadline = time.monotonic() + timeout
    while (left := ids & _loaded_prog_ids()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


_PARENT = """
import subprocess, sys
p = subprocess.Popen([sys.executable, "-m", "perftui.probes.ebpf", "--pid", sys.argv[1],
                      "--interval", "0.1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
print(p.pid, flush=True)
for chunk in iter(lambda: p.stdout.read1(65536), b""):
    sys.stdout.buffer.write(chunk); sys.stdout.flush()
p.wait()
"""


@pytest.fixture
def sleeper() -> Iterator[int]:
    proc = subprocess.Popen(["sleep", "120"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _has_caps_frame(data: bytes) -> bool:
    from perftui.probes.wire import FrameDecoder
    return any(f["k"] == "caps" for _raw, f in FrameDecoder().feed(data))


@needs_bpf
@pytest.mark.parametrize("how", ["stdin-eof", "SIGTERM", "SIGHUP", "SIGINT", "parent-SIGKILL"])
def test_everything_is_unloaded_when_the_probe_ends(sleeper: int, how: str) -> None:
    before_instances = set(os.listdir(tracefs.root() / "instances"))
    if how == "parent-SIGKILL":
        parent = subprocess.Popen([sys.executable, "-c", _PARENT, str(sleeper)],
                                  stdout=subprocess.PIPE, cwd=REPO)
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        data = b""
        while not _has_caps_frame(data):
            chunk = os.read(parent.stdout.fileno(), 65536)
            assert chunk, "the probe ended before it was ready"
            data += chunk
        ids = _prog_ids(pid)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 15
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists(), "the probe outlived its parent"
    else:
        probe = Probe(sleeper)
        try:
            probe.ready()
            ids = _prog_ids(probe.proc.pid)
            if how == "stdin-eof":
                assert probe.proc.stdin is not None
                probe.proc.stdin.close()
            else:
                probe.proc.send_signal(getattr(signal, how))
            assert probe.finish(15) == 0
        finally:
            probe.stop()
    # raw_syscalls sys_enter + sys_exit, sched_switch and the three sock tracepoints
    assert len(ids) >= 6, ids
    assert _wait_unloaded(ids) == set()
    # (another perftui on the host may hold an instance of its own meanwhile: only those
    # of processes that ended count as left behind)
    left = {n for n in set(os.listdir(tracefs.root() / "instances")) - before_instances
            if not Path(f"/proc/{n.rsplit('-', 1)[-1]}").exists()}
    assert left == set()


# --- startup ------------------------------------------------------------------------------

def test_no_such_process_exits_2() -> None:
    probe = Probe(0, argv=[sys.executable, "-m", "perftui.probes.ebpf", "--pid", "999999999"])
    assert probe.finish() == 2
    assert probe.frames == []


@needs_bpf
def test_hello_first_then_caps_once_compiled(sleeper: int) -> None:
    probe = Probe(sleeper)
    try:
        caps = probe.ready()
        hello = probe.frames[0]
        assert hello["k"] == "hello" and hello["probe"] == "ebpf"
        assert all(c == {"ok": False, "why": "compiling BPF", "pending": True}
                   for c in hello["caps"].values())
        # Only heartbeats between them (a compile longer than a beat's period under load).
        assert {f["k"] for f in probe.frames[1:caps["seq"]]} <= {"beat"}
        assert caps["source"] == "bpf" and caps["buckets"] == 40
        sys_frame = probe.wait_for(lambda f: f["k"] == "sys")
        assert set(sys_frame) >= {"calls", "errors", "lat", "time", "files", "iosize",
                                  "conns", "drops", "bythread"}
    finally:
        probe.stop()


@needs_root
def test_missing_headers_fall_back_to_perf_and_say_why(sleeper: int) -> None:
    probe = Probe(sleeper, env={bccenv.KERNEL_SOURCE_ENV: "/nonexistent-perftui-headers"})
    try:
        caps = probe.ready()
        assert caps["source"] == "perf"
        assert caps["caps"]["syscalls"]["ok"]
        assert "/nonexistent-perftui-headers" in caps["caps"]["latency"]["why"]
        warn = probe.wait_for(lambda f: f["k"] == "warn")
        assert "perf_event" in warn["msg"]
    finally:
        probe.stop()


@needs_root
@needs_root
@pytest.mark.parametrize("module", ["perftui.probes.ebpf", "perftui.probes.perfcount"])
def test_syscalls_go_by_their_names_not_the_kernels_entry_points(module: str) -> None:
    # strace and man pages say uname; the kernel's x86_64 entry point is newuname
    if module.endswith("ebpf") and bcc_missing():
        pytest.skip(str(bcc_missing()))
    t = run_target("uname", "123", module=module)
    assert t.calls.get("uname", 0) >= 123 and "newuname" not in t.calls


def test_syscall_numbers_come_from_the_running_kernel() -> None:
    from perftui.probes.ebpf import sysnames
    names = sysnames.discover()
    assert set(names.values()) == set(tracefs.syscall_names())
    assert len(set(names.values())) == len(names)
    number = {name: nr for nr, name in names.items()}
    libc = ctypes.CDLL(None, use_errno=True)
    # Independent check: these numbers really are these calls.
    assert libc.syscall(number["getpid"]) == os.getpid()
    assert libc.syscall(number["gettid"]) == threading.get_native_id()
    assert libc.syscall(number["getppid"]) == os.getppid()
