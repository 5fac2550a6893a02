"""The pyspy probe with the real py-spy against real targets: a known 75/25 CPU split, thread
names, every bad input we can produce here, and a clean exit that leaves no py-spy behind."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from perftui.model.model import Model
from perftui.model.stacks import Window
from perftui.probes import spawn
from perftui.probes.companions import (
    FROM_ENV,
    FROM_PATH,
    NEXT_TO_PYTHON,
    NotFound,
    PySpy,
    find_pyspy,
)
from perftui.probes.companions import PYSPY_ENV as ENV
from perftui.probes.pyspy.chunk import Chunk
from perftui.probes.pyspy.errors import DENIED, GONE, NOT_PYTHON, OTHER, UNSUPPORTED, classify
from perftui.probes.pyspy.rawformat import parse
from perftui.views.stacks import flame, top_functions
from tests.support.paths import REPO, TARGETS
from tests.support.probes import Probe
from tests.support.skips import PYSPY, needs_pyspy

PROBES = spawn.__name__.rpartition(".")[0]  # the probes' package, as children import it
HOT = TARGETS / "hot_python.py"
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"

Frame = dict[str, Any]


def _gone(procs: list[psutil.Process], timeout: float = 3.0) -> bool:
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    return not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture
def hot() -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, str(HOT)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()


def _first_pyspy(probe: Probe) -> list[psutil.Process]:
    """The py-spy sampling for the probe, once the probe said hello."""
    probe.wait_for(lambda f: f["k"] == "hello")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        kids = probe.pyspy_children()
        if kids:
            return kids
        time.sleep(0.05)
    raise AssertionError("no py-spy child seen")


@needs_pyspy
def test_known_split_thread_names_and_rate(hot: subprocess.Popen[str]) -> None:
    probe = Probe(hot.pid, "--count", "5")
    code, err = probe.finish(60)
    assert code == 0, err
    hello = probe.frames[0]
    assert hello["k"] == "hello" and hello["caps"]["stacks"] == {"ok": True}
    assert hello["python"] == PYTHON_VERSION and hello["rate"] == 100
    model = Model()
    for frame in probe.frames:
        model.apply("pyspy", frame)
    stacks = model.pystacks
    rows = top_functions(stacks)
    share = {r.function: r.self_pct for r in rows}
    assert rows[0].function == "hot_a", rows[:3]
    assert abs(share["hot_a"] - 75) <= 5, share
    assert abs(share["hot_b"] - 25) <= 5, share
    assert rows[0].location == f"{HOT.relative_to(REPO)}:{_first_line('hot_a')}"
    worker = next(tid for tid, name in stacks.names.items() if name == "hot-worker")
    assert stacks.stats().threads[0][:2] == (worker, "hot-worker")
    assert "MainThread" in probe.kind("threads")[0]["threads"].values()
    # The flame tree: every level's widths add up to the samples.
    root = flame(stacks)
    assert root.total == stacks.stats().samples > 0
    todo = [root]
    while todo:
        node = todo.pop()
        assert node.total == node.self_samples + sum(c.total for c in node.children)
        todo.extend(node.children)
    # Chunks follow each other without holes in time, and the rate is close to the one asked.
    chunks = probe.kind("chunk")
    assert len(chunks) == 5
    for prev, cur in itertools.pairwise(chunks):
        assert 0 <= cur["t0"] - prev["t1"] < 0.2
    asked = sum(c["asked"] for c in chunks)
    got = sum(c["got"] for c in chunks)
    assert 0.85 <= got / asked <= 1.15, (got, asked)
    assert stacks.stats(Window.last(4)).chunks in (1, 2, 3)


def _first_line(function: str) -> int:
    for number, line in enumerate(HOT.read_text().splitlines(), 1):
        if line.startswith(f"def {function}("):
            return number
    raise AssertionError(function)


@needs_pyspy
def test_not_python() -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        probe = Probe(sleeper.pid)
        code, err = probe.finish()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert code == 2
    why = probe.frames[0]["caps"]["stacks"]
    assert not why["ok"] and why["why"].startswith("not a Python process")
    assert probe.kind("warn")[0]["msg"] == why["why"]
    assert "not a Python process" in err and "Traceback" not in err


def test_no_such_process() -> None:
    probe = Probe(2**22 + 1)
    code, err = probe.finish()
    assert (code, err.strip(), probe.frames) == (2, f"no process {2**22 + 1}", [])


def test_missing_pyspy(hot: subprocess.Popen[str]) -> None:
    env = {**os.environ, "PATH": "/usr/bin:/bin", ENV: "/nonexistent/py-spy"}
    probe = Probe(hot.pid, env=env)
    code, err = probe.finish()
    assert code == 2
    why = probe.frames[0]["caps"]["stacks"]["why"]
    assert "py-spy not found" in why and "pip install py-spy" in why
    assert "pip install py-spy" in err and "Traceback" not in err


def test_find_pyspy_places(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NotFound, match="pip install py-spy"):
        find_pyspy({"PATH": str(empty)}, exe_dir=str(empty))
    on_path = tmp_path / "bin"
    on_path.mkdir()
    fake = on_path / "py-spy"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert find_pyspy({"PATH": str(on_path)}, exe_dir=str(empty)) == PySpy(str(fake),
                                                                            FROM_PATH)
    beside = tmp_path / "venv"
    beside.mkdir()
    shutil.copy(fake, beside / "py-spy")
    assert find_pyspy({"PATH": str(on_path)}, exe_dir=str(beside)) == PySpy(
        str(beside / "py-spy"), NEXT_TO_PYTHON)
    assert find_pyspy({"PATH": "", ENV: str(fake)}, exe_dir=str(beside)) == PySpy(str(fake),
                                                                                FROM_ENV)


def _nobody_tree() -> tuple[str, str]:
    """A directory user nobody can read with the probe's code, msgpack and py-spy in it:
    the repository, the pyenv interpreter and its site-packages may sit under /root (0700)."""
    import msgpack

    root = tempfile.mkdtemp(prefix="perftui-nobody-")
    os.chmod(root, 0o755)
    # The probes under the package name they are run by, inside their parent packages.
    pkg = Path(root, *PROBES.split("."))
    shutil.copytree(REPO / "probes", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for parent in list(pkg.relative_to(root).parents)[:-1]:
        (Path(root) / parent / "__init__.py").write_text('"""Parent of the probes."""\n')
    shutil.copytree(Path(msgpack.__file__).parent, Path(root) / "msgpack",
                    ignore=shutil.ignore_patterns("__pycache__"))
    assert PYSPY is not None
    shutil.copy(PYSPY, Path(root) / "py-spy")
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o755 if name == "py-spy" else 0o644)
    return root, str(Path(root) / "py-spy")


def _as_nobody() -> None:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


@needs_pyspy
@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become nobody")
@pytest.mark.skipif(not os.access("/usr/bin/python3", os.X_OK), reason="no /usr/bin/python3")
def test_ptrace_denied(hot: subprocess.Popen[str]) -> None:
    root, pyspy = _nobody_tree()
    try:
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": root, ENV: pyspy, "HOME": "/"}
        probe = Probe(hot.pid, env=env, python="/usr/bin/python3", cwd=root,
                      preexec=_as_nobody)
        code, err = probe.finish()
    finally:
        shutil.rmtree(root)
    assert code == 2, err
    why = probe.frames[0]["caps"]["stacks"]["why"]
    assert why.startswith("py-spy may not ptrace the target") and "ptrace_scope" in why
    assert "Traceback" not in err


def test_error_sentences() -> None:
    # The texts py-spy 0.4.3 prints, as seen on this machine (RUST_BACKTRACE off).
    texts = {
        DENIED: "Permission Denied: Try running again with elevated permissions by going "
                "'sudo env \"PATH=$PATH\" !!'",
        NOT_PYTHON: "Error: Failed to find python version from target process",
        GONE: "Error: Failed to get process executable name. Check that the process is "
              "running.\n\nCaused by:\n    0: No such file or directory (os error 2)",
        UNSUPPORTED: "Error: Unsupported version of Python: 3.99.0",
    }
    for kind, text in texts.items():
        assert classify(text, "0.4.3").kind == kind, text
    assert classify(texts[UNSUPPORTED], "0.4.3").sentence == (
        "py-spy 0.4.3 does not support Python 3.99.0: upgrade py-spy (pip install -U py-spy)")
    other = classify("py-spy> Sampling\nError: something new\nStack backtrace:\n 0: x")
    assert (other.kind, other.sentence) == (OTHER, "py-spy failed: Error: something new")


@needs_pyspy
def test_target_exits_mid_chunk(hot: subprocess.Popen[str]) -> None:
    probe = Probe(hot.pid)
    kids = _first_pyspy(probe)
    hot.kill()
    hot.wait()
    gone = probe.wait_for(lambda f: f["k"] == "gone", timeout=10)
    assert gone["reason"] in ("exited", "zombie")
    code, err = probe.finish(10)
    assert code == 0, err
    assert _gone(kids)


@needs_pyspy
@pytest.mark.parametrize("how", ["sigterm", "stdin-eof"])
def test_stops_cleanly(hot: subprocess.Popen[str], how: str) -> None:
    probe = Probe(hot.pid, "--interval", "5")
    kids = _first_pyspy(probe)
    time.sleep(1.0)  # into the next 5-second chunk
    asked_at = time.time()
    if how == "sigterm":
        probe.proc.send_signal(signal.SIGTERM)
    else:
        assert probe.proc.stdin is not None
        probe.proc.stdin.close()
    code, err = probe.finish(5)
    assert code == 0, err
    assert time.time() - asked_at < 2.5  # the app gives a probe 2 s before SIGTERM
    assert _gone(kids, 0.5)
    # SIGINT made py-spy write what it had: the partial chunk arrived.
    last = probe.kind("chunk")[-1]
    assert last["t1"] >= asked_at and last["t1"] - last["t0"] < 4.0 and last["samples"]
    assert "Traceback" not in err


@needs_pyspy
def test_killed_probe_takes_pyspy_along(hot: subprocess.Popen[str]) -> None:
    probe = Probe(hot.pid, "--interval", "10")
    kids = _first_pyspy(probe)
    probe.proc.kill()
    probe.proc.wait()
    assert _gone(kids, 2.0)


def test_pyspy_deaf_to_sigint_is_killed(tmp_path: Path) -> None:
    stub = tmp_path / "py-spy"
    stub.write_text("#!/bin/sh\ntrap '' INT\nexec sleep 30\n")
    stub.chmod(0o755)
    chunk = Chunk(str(stub), os.getpid(), 30, 100, [], str(tmp_path), 1)
    time.sleep(0.2)
    started = time.monotonic()
    chunk.stop(grace=0.3)
    assert time.monotonic() - started < 2.0
    assert chunk.proc.returncode == -signal.SIGKILL
    res = chunk.result(time.time())
    assert (res.wrote, res.stacks) == (False, [])


@needs_pyspy
def test_commands(hot: subprocess.Popen[str]) -> None:
    probe = Probe(hot.pid)
    probe.wait_for(lambda f: f["k"] == "chunk")
    assert probe.proc.stdin is not None
    probe.proc.stdin.write(b"bogus\ninterval 4\n")
    probe.proc.stdin.flush()
    warn = probe.wait_for(lambda f: f["k"] == "warn" and f["cap"] == "command")
    assert "bogus" in warn["msg"]
    since = time.time()
    long = probe.wait_for(lambda f: f["k"] == "chunk" and f["t0"] > since)
    assert long["t1"] - long["t0"] > 3.0
    probe.proc.stdin.close()
    assert probe.finish(5)[0] == 0


def test_raw_format_records() -> None:
    text = (
        'thread (4711): worker;run (app.py:9);hot (app.py:3) 81\n'
        'thread (4712);main (app.py:1) 2\n'
        'process 10:"python -c \nimport x; print(\\"a\\"); y = 5\nz";'
        'process 12:"python child.py";thread (13): MainThread;f (c.py:1) 7\n'
        'thread (0x7F00);0x7f1b613278ec (libc.so.6) 1\n')
    stacks = parse(text)
    assert [(s.tid, s.thread_name, s.pid, s.count) for s in stacks] == [
        (4711, "worker", None, 81), (4712, None, None, 2), (13, "MainThread", 12, 7),
        (0x7F00, None, None, 1)]
    assert stacks[0].frames == ("run (app.py:9)", "hot (app.py:3)")
    assert stacks[2].frames == ("f (c.py:1)",)
    assert parse("") == [] and parse("thread (1): t 3")[0].count == 3


@needs_pyspy
def test_subprocesses() -> None:
    # A parent whose command line holds newlines and quotes, as py-spy prints it in stacks.
    script = (f"import subprocess, sys, time\nc = subprocess.Popen([sys.executable, {str(HOT)!r}],"
              " stdout=subprocess.DEVNULL)\ntime.sleep(0.5); print('ready', flush=True)\n"
              "time.sleep(600)  # \"; x")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        child = psutil.Process(parent.pid).children()[0].pid
        probe = Probe(parent.pid, "--subprocesses", "--count", "1")
        code, err = probe.finish(30)
    finally:
        parent.kill()
        parent.wait()
    assert code == 0, err
    chunk = probe.kind("chunk")[0]
    assert set(chunk["pids"].values()) == {child}
    model = Model()
    for frame in probe.frames:
        model.apply("pyspy", frame)
    assert top_functions(model.pystacks)[0].function == "hot_a"
    assert not any(label.startswith(('"', "process ")) for label in model.pystacks.labels)


GIL_THREADS = TARGETS / "gil_threads.py"


def _by_name(probe: Probe, chunk: Frame) -> dict[str, int]:
    """A chunk's samples per thread name (names from the probe's threads frames so far)."""
    names: dict[int, str] = {}
    for frame in probe.frames:
        names.update({int(t): n for t, n in (frame.get("threads") or {}).items()})
    out: dict[str, int] = {}
    for _, tid, count in chunk["samples"]:
        name = names.get(tid, str(tid))
        out[name] = out.get(name, 0) + count
    return out


@needs_pyspy
def test_options_switch_while_running() -> None:
    target = subprocess.Popen([sys.executable, str(GIL_THREADS)], stdout=subprocess.PIPE,
                              text=True)
    probe: Probe | None = None
    try:
        assert target.stdout is not None and target.stdout.readline().strip() == "ready"
        probe = Probe(target.pid)
        first = probe.wait_for(lambda f: f["k"] == "chunk")
        assert probe.proc.stdin is not None
        stdin = probe.proc.stdin

        def switch(name: str, on: bool) -> dict[str, int]:
            """Send the command; the first whole chunk run with it, per thread."""
            asked = time.time()
            stdin.write(f"option {name} {'on' if on else 'off'}\n".encode())
            stdin.flush()
            opts = probe.wait_for(lambda f: f["k"] == "options" and f["t0"] >= asked)
            assert opts[name] is on and (f"--{name}" in opts["options"]) is on
            # The running chunk was cut short: the switch shows at once, not chunks later.
            assert opts["t0"] - asked < 1.5
            chunk = probe.wait_for(lambda f: f["k"] == "chunk" and f["t0"] >= opts["t0"])
            assert chunk["t1"] - chunk["t0"] > 1.5  # a whole chunk, not the one cut short
            return _by_name(probe, chunk)

        plain = _by_name(probe, first)
        assert plain.get("spinner", 0) > 20 and "MainThread" not in plain, plain
        idle = switch("idle", True)
        # The sleeping main thread is sampled at every tick now.
        assert idle.get("MainThread", 0) > 150 and idle.get("spinner", 0) > 150, idle
        not_idle = switch("idle", False)
        assert "MainThread" not in not_idle and not_idle.get("spinner", 0) > 20, not_idle
        # py-spy counts the hasher active part of the time (it runs, in C) ...
        assert plain.get("hasher", 0) + not_idle.get("hasher", 0) > 20, (plain, not_idle)
        gil = switch("gil", True)
        # ... but it runs without the GIL: only the spinner holds it.
        assert gil.get("spinner", 0) > 20 and gil.get("hasher", 0) <= gil["spinner"] // 20, gil
        stdin.write(b"option gil maybe\n")
        stdin.flush()
        warn = probe.wait_for(lambda f: f["k"] == "warn" and f["cap"] == "command")
        assert "option gil maybe" in warn["msg"]
        model = Model()
        for frame in list(probe.frames):
            model.apply("pyspy", frame)
        assert model.pystacks.options == {"idle": False, "gil": True, "native": False,
                                          "subprocesses": False}
        stdin.close()
        assert probe.finish(5)[0] == 0
    finally:
        if probe is not None:
            probe.stop()
        target.kill()
        target.wait()


@needs_pyspy
def test_chunks_grow_until_fresh_stacks_are_asked_for(hot: subprocess.Popen[str]) -> None:
    probe = Probe(hot.pid, "--max-chunk", "4")
    first = probe.wait_for(lambda f: f["k"] == "chunk")
    second = probe.wait_for(lambda f: f["k"] == "chunk" and f["t0"] >= first["t1"] - 0.01)
    assert first["t1"] - first["t0"] < 3.0  # the first view comes after 2 s...
    assert second["t1"] - second["t0"] > 3.5  # ...then py-spy runs (and starts) less often
    # a longer chunk still samples at the rate asked: the start gap is made up per second
    # (within 15 %: a loaded 2-core machine delays py-spy's own sampling clock)
    assert abs(second["got"] / (second["t1"] - second["t0"]) - 100) < 15, second
    third = probe.wait_for(lambda f: f["k"] == "chunk" and f["t0"] >= second["t1"] - 0.01,
                           timeout=10)  # a 4 s chunk is running now
    assert probe.proc.stdin is not None
    time.sleep(1.5)  # into the long chunk: py-spy has samples to write when cut
    asked = time.time()
    probe.proc.stdin.write(b"fresh on\n")
    probe.proc.stdin.flush()
    # the running long chunk is cut at once, so what it holds shows now...
    cut = probe.wait_for(lambda f: f["k"] == "chunk" and f["t0"] >= third["t1"] - 0.01,
                         timeout=3)
    assert cut["t1"] - asked < 1.0 and cut["t1"] - cut["t0"] < 3.5, cut
    assert cut["got"] > 0
    # ...and the chunks after it are short
    after = probe.wait_for(lambda f: f["k"] == "chunk" and f["t0"] >= cut["t1"] - 0.01)
    assert after["t1"] - after["t0"] < 3.0
    probe.proc.stdin.close()
    assert probe.finish(10)[0] == 0
