"""The procfs probe against real target processes with known behaviour (no mocked /proc)."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from perftui.probes.procfs import VERSION
from perftui.probes.procfs.procread import parse_stat
from perftui.probes.wire import SCHEMA_VERSION
from tests.support.paths import REPO, TARGETS
from tests.support.probe_frames import ProbeFrames
from tests.targets.ctlpage import Page

INTERVAL = 0.05
CAPS = {"threads", "memory_detail", "io", "fds", "files", "sockets"}

Frame = dict[str, Any]


class Probe(ProbeFrames):
    """A running ``python -m perftui.probes.procfs`` and the frames it has written so far."""

    def __init__(self, pid: int, *args: str, interval: float = INTERVAL,
                 preexec: Callable[[], None] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "perftui.probes.procfs", "--pid", str(pid),
             "--interval", str(interval), *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=REPO, preexec_fn=preexec)
        super().__init__(self.proc)

    def sample_after(self, t: float) -> Frame:
        """The first sample collected after wall-clock time ``t``."""
        return self.wait_for(lambda f: f["k"] == "sample" and f["ts"] > t)

    def fresh_sample(self) -> Frame:
        return self.sample_after(time.time())

    def finish(self, timeout: float = 10.0) -> tuple[int, str]:
        """Wait for the probe to exit by itself; (exit status, stderr)."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self._reader.join(5)
        assert self.proc.stderr is not None
        return self.proc.returncode, self.proc.stderr.read().decode()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


class Target:
    """A target program from tests/targets, driven through its control page."""

    def __init__(self, tmp: Path, script: str, *args: str, prefix: tuple[str, ...] = ()) -> None:
        """``prefix``: a command that ends by exec'ing the target (so the pid stays)."""
        self.page = Page(str(tmp / f"{script}.ctl"), create=True)
        self.argv = [sys.executable, str(TARGETS / script), self.page.path, *args]
        self.proc = subprocess.Popen([*prefix, *self.argv], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split(" ", 1)
        assert line[0].strip() == "ready", line
        self.ready = line[1].strip() if len(line) > 1 else ""
        self.pid = self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """start(Target or Probe args...): everything started is stopped at the end."""
    started: list[Target | Probe] = []

    def make(kind: type[Target] | type[Probe], *args: Any, **kw: Any) -> Any:
        obj = kind(tmp_path, *args, **kw) if kind is Target else kind(*args, **kw)
        started.append(obj)
        return obj

    yield make
    for obj in reversed(started):
        obj.stop()


NAMES = ["alpha", "beta worker", "odd) (name", "(x) y)"]


def threads_by_name(sample: Frame) -> dict[str, list[Any]]:
    return {row[1]: row for row in sample["threads"]}


# -- hello, meta, threads --------------------------------------------------------------------

def test_hello_meta_and_contiguous_seq(start: Callable[..., Any]) -> None:
    target = start(Target, "threads_target.py", *NAMES)
    probe = start(Probe, target.pid, "--count", "5")
    code, err = probe.finish()
    assert code == 0, err
    frames = probe.frames
    hello = frames[0]
    assert hello["k"] == "hello"
    assert hello["schema"] == SCHEMA_VERSION
    assert (hello["probe"], hello["version"], hello["pid"]) == ("procfs", VERSION, target.pid)
    assert hello["interval"] == INTERVAL
    assert set(hello["caps"]) == CAPS
    if os.geteuid() == 0:
        assert all(c["ok"] for c in hello["caps"].values()), hello["caps"]
    meta = frames[1]
    assert meta["k"] == "meta"
    assert meta["cmdline"] == target.argv
    assert meta["pid"] == target.pid and meta["ppid"] == os.getpid()
    assert meta["exe"] == os.path.realpath(sys.executable)
    assert meta["uid"] == os.getuid()
    assert abs(meta["start_time"] - time.time()) < 60
    assert [f["k"] for f in frames[2:]] == ["sample"] * 5
    assert [f["seq"] for f in frames] == list(range(len(frames)))
    assert not err


def test_thread_count_and_names(start: Callable[..., Any]) -> None:
    target = start(Target, "threads_target.py", *NAMES)
    probe = start(Probe, target.pid)
    sample = probe.fresh_sample()
    tids = sorted(int(t) for t in os.listdir(f"/proc/{target.pid}/task"))
    assert sorted(row[0] for row in sample["threads"]) == tids
    assert len(sample["threads"]) == len(NAMES) + 1
    by_name = threads_by_name(sample)
    assert set(NAMES) <= set(by_name), by_name
    for i, name in enumerate(NAMES):
        assert by_name[name][0] == target.page.send(2, i)
    ncpu = os.cpu_count() or 1
    for _tid, _name, state, user, system, vcs, nvcs, cpu in sample["threads"]:
        assert state in "RSDTtIZ" and isinstance(user, float) and isinstance(system, float)
        assert isinstance(vcs, int) and isinstance(nvcs, int)
        assert 0 <= cpu < ncpu


def test_context_switches_are_per_thread(start: Callable[..., Any]) -> None:
    target = start(Target, "threads_target.py", *NAMES)
    probe = start(Probe, target.pid)
    before = threads_by_name(probe.fresh_sample())
    target.page.send(1, 1, 40)  # "beta worker" sleeps 40 times
    after = threads_by_name(probe.fresh_sample())
    assert after["beta worker"][5] - before["beta worker"][5] >= 40
    for idle in ("alpha", "odd) (name", "(x) y)"):  # blocked on a queue all along
        assert after[idle][5] == before[idle][5]


def test_interval_does_not_drift(start: Callable[..., Any]) -> None:
    target = start(Target, "threads_target.py", *[f"t{i}" for i in range(60)])
    probe = start(Probe, target.pid, "--count", "41")
    code, err = probe.finish(30)
    assert code == 0, err
    ts = [f["ts"] for f in probe.frames if f["k"] == "sample"]
    assert len(ts) == 41
    # Lateness against the ideal grid: jitter, but no trend (sleeping a full interval after
    # each collection would add the collection time, ~1 ms here, at every step).
    late = [t - (ts[0] + i * INTERVAL) for i, t in enumerate(ts)]
    assert statistics.median(late[-10:]) - statistics.median(late[1:11]) < 0.01, late


def test_interval_command_on_stdin(start: Callable[..., Any]) -> None:
    target = start(Target, "threads_target.py", "a")
    probe = start(Probe, target.pid, interval=5.0)
    first = probe.wait_for(lambda f: f["k"] == "sample")
    assert probe.proc.stdin is not None
    probe.proc.stdin.write(b"interval 0.1\nbogus 1\n")
    probe.proc.stdin.flush()
    warn = probe.wait_for(lambda f: f["k"] == "warn")
    assert (warn["cap"], warn["msg"]) == ("command", "unknown command: 'bogus 1'")
    # at 5 s, a second sample would take until first["ts"] + 5
    later = probe.wait_for(lambda f: f["k"] == "sample" and f["seq"] > first["seq"] + 10,
                           timeout=4)
    assert later["ts"] - first["ts"] < 4


# -- I/O counters and open files ---------------------------------------------------------------

def io_of(sample: Frame) -> dict[str, int]:
    io: dict[str, int] = sample["io"]
    return io


def test_write_and_read_counters_are_exact(start: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    target = start(Target, "io_target.py", str(path))
    probe = start(Probe, target.pid)
    s0 = io_of(probe.fresh_sample())
    assert target.page.send(1, 100_003, 7) == 100_003
    s1 = io_of(probe.fresh_sample())
    assert s1["wchar"] - s0["wchar"] == 100_003
    assert s1["syscw"] - s0["syscw"] == 7
    assert (s1["rchar"], s1["syscr"]) == (s0["rchar"], s0["syscr"])
    assert target.page.send(2, 65_536, 16) == 65_536
    s2 = io_of(probe.fresh_sample())
    assert s2["rchar"] - s1["rchar"] == 65_536
    assert s2["syscr"] - s1["syscr"] == 16
    assert (s2["wchar"], s2["syscw"]) == (s1["wchar"], s1["syscw"])
    assert set(s2) == {"rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes",
                       "cancelled_write_bytes"}


def test_open_files(start: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    target = start(Target, "io_target.py", str(path))
    fd = int(target.ready)
    probe = start(Probe, target.pid, "--fd-refresh", "1000")
    target.page.send(1, 4242, 2)
    t = time.time()
    s1 = probe.sample_after(t)
    # count changes are what refresh the list here (every 1000 frames otherwise)
    extra = target.page.send(3)
    s2 = probe.sample_after(time.time())
    assert s2["fd"]["count"] == s1["fd"]["count"] + 1
    assert s2["fd"]["count"] == len(os.listdir(f"/proc/{target.pid}/fd"))
    files = {row[0]: row for row in s2["fd"]["files"]}
    assert files[fd] == [fd, str(path), 4242]
    assert files[extra][1] == str(path) + ".extra"
    later = probe.sample_after(s2["ts"])
    assert "files" not in later["fd"]
    target.page.send(4, extra)
    s3 = probe.sample_after(time.time())
    assert extra not in {row[0] for row in s3["fd"]["files"]}


def test_file_list_refreshes_every_k_frames(start: Callable[..., Any], tmp_path: Path) -> None:
    target = start(Target, "io_target.py", str(tmp_path / "f"))
    probe = start(Probe, target.pid, "--fd-refresh", "3", "--count", "8")
    code, err = probe.finish()
    assert code == 0, err
    samples = [f for f in probe.frames if f["k"] == "sample"]
    assert ["files" in s["fd"] for s in samples] == [i % 3 == 0 for i in range(8)]


# -- sockets -----------------------------------------------------------------------------------

def conn(sample: Frame, local: str, remote: str) -> list[Any]:
    rows = [r for r in sample["net"]["tcp"] if r[0] == local and r[1] == remote]
    assert len(rows) == 1, (local, remote, sample["net"])
    return rows[0]


def test_tcp_bytes_are_exact(start: Callable[..., Any]) -> None:
    target = start(Target, "tcp_target.py")
    ports = json.loads(target.ready)
    probe = start(Probe, target.pid)
    s0 = probe.fresh_sample()
    families = [("v4", 0, "127.0.0.1:{}")] + ([("v6", 1, "[::1]:{}")] if ports["v6"] else [])
    for name, v6, fmt in families:
        listen, client = ports[name]
        c_side = (fmt.format(client), fmt.format(listen))
        s_side = (fmt.format(listen), fmt.format(client))
        before_c, before_s = conn(s0, *c_side), conn(s0, *s_side)
        assert before_c[2] == before_s[2] == "ESTABLISHED"
        assert target.page.send(1, 123_457, v6) == 123_457
        s1 = probe.fresh_sample()
        after_c, after_s = conn(s1, *c_side), conn(s1, *s_side)
        assert after_c[4] - before_c[4] == 123_457  # client sent
        assert after_s[5] - before_s[5] == 123_457  # server received
        assert (after_c[5], after_s[4]) == (before_c[5], before_s[4])
        assert target.page.send(2, 5_000, v6) == 5_000
        s2 = probe.fresh_sample()
        assert conn(s2, *s_side)[4] - after_s[4] == 5_000
        assert conn(s2, *c_side)[5] - after_c[5] == 5_000
        s0 = s2


def test_socket_kinds(start: Callable[..., Any]) -> None:
    target = start(Target, "tcp_target.py")
    ports = json.loads(target.ready)
    probe = start(Probe, target.pid)
    net = probe.fresh_sample()["net"]
    per_family = 3  # listener, client, server side; the unbound TCP socket is not listed
    assert len(net["tcp"]) == per_family * (2 if ports["v6"] else 1)
    states = sorted(row[2] for row in net["tcp"])
    assert states.count("LISTEN") == len(net["tcp"]) // 3
    listen = f"127.0.0.1:{ports['v4'][0]}"
    assert [r[:3] for r in net["tcp"] if r[0] == listen and r[2] == "LISTEN"] == [
        [listen, "0.0.0.0:0", "LISTEN"]]
    inodes = {int(os.readlink(f"/proc/{target.pid}/fd/{fd}")[8:-1])
              for fd in os.listdir(f"/proc/{target.pid}/fd")
              if os.readlink(f"/proc/{target.pid}/fd/{fd}").startswith("socket:")}
    assert {row[3] for row in net["tcp"]} <= inodes
    assert (net["udp"], net["unix"], net["other"]) == (1, 2, 1)


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"),
                    reason="needs root, unshare and ip to make a network namespace")
def test_tcp_in_another_network_namespace(start: Callable[..., Any]) -> None:
    # The target's sockets exist only in its own namespace: sock_diag must be asked there.
    target = start(Target, "tcp_target.py", prefix=(
        "unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"))
    assert Path(f"/proc/{target.pid}/ns/net").stat().st_ino != Path(
        "/proc/self/ns/net").stat().st_ino
    listen, client = json.loads(target.ready)["v4"]
    probe = start(Probe, target.pid)
    assert probe.wait_for(lambda f: f["k"] == "hello")["caps"]["sockets"]["ok"]
    side = (f"127.0.0.1:{client}", f"127.0.0.1:{listen}")
    before = conn(probe.fresh_sample(), *side)
    assert target.page.send(1, 777, 0) == 777
    assert conn(probe.fresh_sample(), *side)[4] - before[4] == 777


# -- changes in the target -------------------------------------------------------------------

def test_meta_again_after_exec(start: Callable[..., Any]) -> None:
    target = subprocess.Popen(["sh", "-c", "read line; exec sleep 30"], stdin=subprocess.PIPE)
    try:
        probe = start(Probe, target.pid)
        probe.fresh_sample()
        assert [f["cmdline"] for f in probe.frames if f["k"] == "meta"] == [
            ["sh", "-c", "read line; exec sleep 30"]]
        assert target.stdin is not None
        target.stdin.write(b"go\n")
        target.stdin.flush()
        meta = probe.wait_for(lambda f: f["k"] == "meta" and f["cmdline"] == ["sleep", "30"])
        assert meta["name"] == "sleep" and meta["exe"] == shutil.which("sleep")
        assert probe.sample_after(meta["ts"])["threads"][0][1] == "sleep"
    finally:
        target.kill()
        target.wait()


def test_leader_thread_exit_is_not_the_end(start: Callable[..., Any], tmp_path: Path) -> None:
    # The main thread leaves with pthread_exit: it shows "Z" while another thread runs on.
    script = tmp_path / "leader_exits.py"
    script.write_text(
        "import ctypes, sys, threading, time\n"
        "threading.Thread(target=time.sleep, args=(1.5,)).start()\n"
        "print('ready', flush=True)\n"
        "ctypes.CDLL(None).pthread_exit(None)\n")
    target = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE)
    try:
        assert target.stdout is not None and target.stdout.readline() == b"ready\n"
        probe = start(Probe, target.pid)
        zombie_leader = probe.wait_for(lambda f: f["k"] == "sample" and f["state"] == "Z")
        assert len(zombie_leader["threads"]) == 2
        assert not [f for f in probe.frames if f["k"] == "gone"]
        gone = probe.wait_for(lambda f: f["k"] == "gone")
        assert gone["reason"] == "zombie"  # the whole process now, not reaped by this test
        assert probe.finish()[0] == 0
    finally:
        target.kill()
        target.wait()


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to change the target's user")
def test_lost_access_gives_warnings(start: Callable[..., Any]) -> None:
    target = subprocess.Popen(
        [sys.executable, "-c", "import os, sys, time\nsys.stdin.readline()\n"
         "os.setuid(65534)\ntime.sleep(30)\n"], stdin=subprocess.PIPE,
        preexec_fn=_drop_ptrace)  # a probe without CAP_SYS_PTRACE may not watch a holder
    try:
        probe = start(Probe, target.pid, preexec=_drop_ptrace)
        assert "io" in probe.fresh_sample()
        assert probe.frames[0]["caps"]["io"]["ok"]
        assert target.stdin is not None
        target.stdin.write(b"go\n")
        target.stdin.flush()
        warn = probe.wait_for(lambda f: f["k"] == "warn" and f["cap"] == "io")
        assert "permission denied" in warn["msg"]
        after = probe.sample_after(warn["ts"])
        assert "io" not in after and "net" not in after and "threads" in after
        assert "files" in {f["cap"] for f in probe.frames if f["k"] == "warn"}
        probe.sample_after(after["ts"])
        assert len([f for f in probe.frames if f["k"] == "warn" and f["cap"] == "io"]) == 1
        assert len([f for f in probe.frames if f["k"] == "meta"]) == 1
    finally:
        target.kill()
        target.wait()


# -- the end of a target, and of the probe -----------------------------------------------------

def test_gone_zombie(start: Callable[..., Any]) -> None:
    target = start(Target, "threads_target.py", "a")
    probe = start(Probe, target.pid)
    probe.fresh_sample()
    target.page.post_exit(3)  # not reaped by this test until the probe has seen it
    gone = probe.wait_for(lambda f: f["k"] == "gone")
    code, err = probe.finish()
    assert (gone["reason"], code) == ("zombie", 0), err
    assert probe.frames[-1] is gone
    # Before it: the zombie's last sample, with the whole life's CPU and I/O counters.
    last = probe.frames[-2]
    assert last["k"] == "sample" and last["final"] and last["state"] == "Z"
    assert set(last["io"]) >= {"rchar", "wchar"} and "mem" not in last
    earlier = [f for f in probe.frames[:-2] if f["k"] == "sample"][-1]
    assert last["cpu"][0] + last["cpu"][1] >= earlier["cpu"][0] + earlier["cpu"][1]
    assert target.proc.wait() == 3


def test_gone_exited(start: Callable[..., Any]) -> None:
    target = start(Target, "threads_target.py", "a")
    probe = start(Probe, target.pid)
    probe.fresh_sample()
    # Hold the probe still while the target exits and is reaped, so it never sees a zombie.
    probe.proc.send_signal(signal.SIGSTOP)
    try:
        target.proc.kill()
        target.proc.wait()
    finally:
        probe.proc.send_signal(signal.SIGCONT)
    gone = probe.wait_for(lambda f: f["k"] == "gone")
    code, err = probe.finish()
    assert (gone["reason"], code) == ("exited", 0), err
    assert not err
    if os.geteuid() == 0:  # reaped before a last sample: the CPU from the exit record
        last = probe.frames[-2]
        assert last["k"] == "sample" and last["final"] and last["source"] == "taskstats"
        earlier = [f for f in probe.frames[:-2] if f["k"] == "sample"][-1]
        assert last["cpu"][0] + last["cpu"][1] >= \
            earlier["cpu"][0] + earlier["cpu"][1] - 0.011  # ticks vs microseconds
        assert gone["signal"] == 9


def unused_pid() -> int:
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
    pid = pid_max - 1
    while os.path.exists(f"/proc/{pid}"):
        pid -= 1
    return pid


def test_no_such_process() -> None:
    pid = unused_pid()
    r = subprocess.run([sys.executable, "-m", "perftui.probes.procfs", "--pid", str(pid)], cwd=REPO,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.strip() == f"no process {pid}"
    assert r.stdout == ""


def test_thread_id_is_not_a_process(start: Callable[..., Any]) -> None:
    target = start(Target, "threads_target.py", "a")
    tid = target.page.send(2, 0)
    r = subprocess.run([sys.executable, "-m", "perftui.probes.procfs", "--pid", str(tid)], cwd=REPO,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.startswith(f"no process {tid}")


def test_exits_when_stdin_closes(start: Callable[..., Any]) -> None:
    target = start(Target, "threads_target.py", "a")
    probe = start(Probe, target.pid)
    probe.fresh_sample()
    assert probe.proc.stdin is not None
    probe.proc.stdin.close()
    code, err = probe.finish()
    assert code == 0, err
    assert "Traceback" not in err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_cleanly(start: Callable[..., Any], sig: int) -> None:
    target = start(Target, "threads_target.py", "a")
    probe = start(Probe, target.pid)
    probe.fresh_sample()
    probe.proc.send_signal(sig)
    code, err = probe.finish()
    assert code == 0, err
    assert not err
    assert [f["seq"] for f in probe.frames] == list(range(len(probe.frames)))


# -- permissions -------------------------------------------------------------------------------

_PR_CAPBSET_DROP = 24
_CAP_SYS_PTRACE = 19


def _drop_ptrace() -> None:
    # Root keeps its uid but loses CAP_SYS_PTRACE across exec: it then has no ptrace access to
    # another user's process, as an ordinary user would not.
    if ctypes.CDLL(None).prctl(_PR_CAPBSET_DROP, _CAP_SYS_PTRACE, 0, 0, 0) != 0:
        os._exit(99)


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a target as another user")
def test_permission_problems_degrade(start: Callable[..., Any]) -> None:
    nobody = 65534

    def as_nobody() -> None:
        os.setgid(nobody)
        os.setuid(nobody)

    target = subprocess.Popen(["sleep", "60"], preexec_fn=as_nobody)
    try:
        probe = start(Probe, target.pid, preexec=_drop_ptrace)
        sample = probe.fresh_sample()
        hello, meta = probe.frames[0], probe.frames[1]
        caps = hello["caps"]
        for name in ("io", "files", "sockets"):
            assert not caps[name]["ok"], caps
            assert caps[name]["why"], caps
        assert "permission denied" in caps["io"]["why"]
        assert caps["threads"]["ok"] and caps["fds"]["ok"]
        # Whether smaps_rollup is readable here depends on the kernel: caps must say which.
        assert ("uss" in sample["mem"]) == caps["memory_detail"]["ok"]
        assert meta["uid"] == nobody and meta["exe"] is None
        assert meta["cmdline"] == ["sleep", "60"]
        assert "io" not in sample and "net" not in sample
        assert [row[1] for row in sample["threads"]] == ["sleep"]
        assert {"rss", "vms", "minflt", "majflt"} <= set(sample["mem"])
        assert sample["fd"]["count"] == len(os.listdir(f"/proc/{target.pid}/fd"))
        assert "files" not in sample["fd"]
        assert probe.proc.stdin is not None
        probe.proc.stdin.close()
        code, err = probe.finish()
        assert code == 0 and "Traceback" not in err, err
    finally:
        target.kill()
        target.wait()


# -- parsers -----------------------------------------------------------------------------------

def test_stat_parser_takes_the_last_parenthesis() -> None:
    line = (b"4242 (a) (b) c) S 1 4242 4242 0 -1 4194560 10 0 2 0 150 25 0 0 20 0 3 0 "
            b"777 12345678 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")
    st = parse_stat(line)
    assert st.comm == "a) (b) c"
    assert (st.state, st.ppid, st.minflt, st.majflt) == ("S", 1, 10, 2)
    assert (st.utime, st.stime, st.num_threads, st.starttime) == (150, 25, 3, 777)
    assert (st.vsize, st.rss, st.processor) == (12345678, 300, 1)


def test_stat_parser_on_own_threads() -> None:
    ready = threading.Event()
    done = threading.Event()

    def named() -> None:
        ctypes.CDLL(None).prctl(15, b"we) (ird n", 0, 0, 0)
        ready.set()
        done.wait()

    t = threading.Thread(target=named)
    t.start()
    try:
        ready.wait()
        assert t.native_id is not None
        data = Path(f"/proc/self/task/{t.native_id}/stat").read_bytes()
        st = parse_stat(data)
        assert st.comm == "we) (ird n"
        assert st.state in "RS"
    finally:
        done.set()
        t.join()


def test_kernel_names_socket_protocols() -> None:
    # The probe classifies sockets by this attribute: this kernel must name them as expected.
    s = socket.socket()
    try:
        name = os.getxattr(f"/proc/self/fd/{s.fileno()}", "system.sockprotoname")
        assert name.rstrip(b"\0") == b"TCP"
    finally:
        s.close()


def test_positions_only_for_regular_files(tmp_path: Path) -> None:
    """A directory's "position" is a cookie of the directory walk (a hash on ext4, shown as
    8192 PiB once): left out.  A file's offset is kept."""
    from perftui.probes.procfs.fds import FdTable

    data = tmp_path / "data"
    data.write_bytes(b"x" * 1000)
    with open(data, "rb") as f:
        f.seek(123)
        fd = f.fileno()
        dfd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.listdir(dfd)  # moves the directory's position past its entries
            table = FdTable(os.getpid())
            rows = {row[0]: row for row in table.files(table.links([fd, dfd]))}
        finally:
            os.close(dfd)
    assert rows[fd][2] == 123
    assert rows[dfd][1] == str(tmp_path) and rows[dfd][2] is None
