"""bcc discovery, kernel headers, tracefs and the compile check, on the real host."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from perftui.probes import bccenv, companions
from perftui.probes.bccenv import TracefsState
from tests.support.paths import REPO


@pytest.fixture
def real_bcc(monkeypatch: pytest.MonkeyPatch) -> companions.BccLocation:
    monkeypatch.delenv(companions.NO_BCC_ENV, raising=False)
    loc = companions.locate_bcc()
    if not loc.ok:
        pytest.skip("bcc is not installed (apt-get install python3-bpfcc libbpfcc); "
                    "run scripts/install-deps.sh")
    return loc


@pytest.fixture
def root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root")


# --- discovery ---------------------------------------------------------------------------

def test_locate_finds_the_real_bcc(real_bcc: companions.BccLocation) -> None:
    assert real_bcc.path is not None
    assert (real_bcc.path / "libbcc.py").is_file()
    assert str(real_bcc.path) in real_bcc.detail


def test_import_adds_only_bcc_not_dist_packages(real_bcc: companions.BccLocation) -> None:
    # A fresh interpreter, so the import really happens (and loads libbcc.so) there.
    code = ("import sys; from perftui.probes import bccenv; before = list(sys.path); "
            "bcc = bccenv.import_bcc(); assert sys.path == before, sys.path; "
            "print(bcc.__file__); print(hasattr(bcc, 'BPF'))")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                       timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr
    file, has_bpf = r.stdout.split()
    assert real_bcc.path is not None
    assert Path(file).parent == real_bcc.path
    assert has_bpf == "True"


def test_unrelated_pypi_bcc_is_ignored(real_bcc: companions.BccLocation, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bcc"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('the wrong bcc')\n")
    monkeypatch.delitem(sys.modules, "bcc", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    loc = companions.locate_bcc()
    if not (companions.DIST_PACKAGES / "bcc" / "libbcc.py").is_file():
        assert not loc.ok
        return
    assert loc.ok and loc.from_dist and loc.path == companions.DIST_PACKAGES / "bcc"
    assert f"ignored unrelated 'bcc' at {fake}" in loc.detail


def test_bcc_says_whether_the_interpreter_imports_it_or_the_system_s_copy_is_loaded(
        real_bcc: companions.BccLocation, tmp_path: Path) -> None:
    """A venv without system site packages (pipx's) cannot import Debian's bcc: it is loaded
    by path from the system's dist-packages, and doctor's row says so."""
    code = ("from perftui.probes import companions; loc = companions.locate_bcc(); "
            "print(loc.from_dist, loc.path); print(loc.detail)")

    def located(extra_path: str) -> list[str]:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (extra_path, str(REPO))))}
        r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                           text=True, timeout=60, env=env)
        assert r.returncode == 0, r.stderr
        return r.stdout.splitlines()

    assert real_bcc.path is not None
    (tmp_path / "bcc").symlink_to(real_bcc.path)  # a bcc this interpreter can import
    assert located(str(tmp_path)) == [f"False {tmp_path / 'bcc'}",
                                      f"{tmp_path / 'bcc'} ({companions.IMPORTABLE})"]
    if real_bcc.from_dist:  # this interpreter, left alone, does not search dist-packages
        flag, detail = located("")
        assert flag == f"True {companions.DIST_PACKAGES / 'bcc'}"
        assert detail.startswith(f"{companions.DIST_PACKAGES / 'bcc'} ({companions.SYSTEM_DIST}")


def test_no_bcc_env_pretends_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(companions.NO_BCC_ENV, "1")
    loc = companions.locate_bcc()
    assert not loc.ok and loc.fix == companions.FIX_BCC
    with pytest.raises(bccenv.BccUnavailable):
        bccenv.import_bcc()
    res = bccenv.try_compile()
    assert not res.ok and res.fix == companions.FIX_BCC


# --- kernel headers ----------------------------------------------------------------------

def test_kernel_source_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bccenv.KERNEL_SOURCE_ENV, str(tmp_path))
    ks = bccenv.kernel_source()
    assert ks.ok and ks.path == tmp_path and ks.origin == bccenv.KERNEL_SOURCE_ENV
    # An explicit setting is left alone: libbcc gets exactly what the user asked for.
    assert bccenv.bcc_environ()[bccenv.KERNEL_SOURCE_ENV] == str(tmp_path)

    monkeypatch.setenv(bccenv.KERNEL_SOURCE_ENV, str(tmp_path / "nope"))
    ks = bccenv.kernel_source()
    assert not ks.ok and ks.fix == f"unset {bccenv.KERNEL_SOURCE_ENV}"


def test_kernel_source_found_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(bccenv.KERNEL_SOURCE_ENV, raising=False)
    ks = bccenv.kernel_source()
    if not ks.ok:
        pytest.skip(f"no kernel headers here: {ks.detail}; fix: {ks.fix}")
    assert ks.path is not None and (ks.path / "include").is_dir()
    env = bccenv.bcc_environ({})
    if ks.origin == "perftui tree":
        assert env == {bccenv.KERNEL_SOURCE_ENV: str(bccenv.PROJECT_KERNEL_SRC)}
    else:
        assert ks.origin == "running kernel" and env == {}


def test_missing_headers_give_the_setup_fix(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(bccenv.KERNEL_SOURCE_ENV, raising=False)
    monkeypatch.setattr(platform, "release", lambda: "0.0.0-no-such-kernel")
    monkeypatch.setattr(bccenv, "PROJECT_KERNEL_SRC", tmp_path / "absent")
    ks = bccenv.kernel_source()
    assert not ks.ok and ks.fix == bccenv.fix_headers()
    assert bccenv.SETUP_SCRIPT.is_file()  # the command names a script that is there
    assert "0.0.0-no-such-kernel" in ks.detail


# --- tracefs -----------------------------------------------------------------------------

def test_tracefs_mounted_after_ensure(root: None) -> None:
    st = bccenv.ensure_tracefs()
    assert st.ok, st
    assert st.state in (TracefsState.ALREADY, TracefsState.MOUNTED)
    again = bccenv.ensure_tracefs()
    assert again.ok and again.state is TracefsState.ALREADY
    assert (bccenv.TRACEFS / "events" / "raw_syscalls" / "sys_enter").is_dir()


def test_tracefs_mounted_now_in_private_namespace(root: None) -> None:
    """Unmount in a private mount namespace (the host's mount stays), then mount it back."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) not installed")
    code = ("from perftui.probes import bccenv\n"
            "a = bccenv.ensure_tracefs(); b = bccenv.ensure_tracefs()\n"
            "print(a.state.name, b.state.name, a.ok, b.ok)\n")
    script = (f"(umount {bccenv.TRACEFS} 2>/dev/null || true) && "
              f"! mountpoint -q {bccenv.TRACEFS} && exec \"$0\" -c \"$1\"")
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                        sys.executable, code], cwd=REPO, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["MOUNTED", "ALREADY", "True", "True"]


def test_tracefs_unprivileged_gives_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bccenv, "TRACEFS", tmp_path)
    monkeypatch.setattr(bccenv, "DEBUGFS_TRACING", tmp_path / "absent")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    st = bccenv.ensure_tracefs()
    assert not st.ok and st.state is TracefsState.FAILED
    assert st.fix == f"sudo mount -t tracefs nodev {tmp_path}"
    assert "root" in st.detail


# --- compile -----------------------------------------------------------------------------

def test_compile_works_and_counts(real_bcc: companions.BccLocation, root: None,
                                  record_property: Callable[[str, object], None]) -> None:
    start = time.monotonic()
    res = bccenv.try_compile()
    wall = time.monotonic() - start
    record_property("bcc_compile_s", res.elapsed)
    assert res.ok, res
    assert res.events > 0
    # The compile is part of the child's run, which is part of our wall time.
    assert 0 < res.elapsed <= res.total <= wall
    assert wall < 60, f"compile took {wall:.1f} s"


def test_compile_timeout_is_reported_not_raised(real_bcc: companions.BccLocation,
                                                root: None) -> None:
    res = bccenv.try_compile(timeout=0.05)
    assert not res.ok and "timed out" in res.detail


def test_compile_child_crash_is_reported(real_bcc: companions.BccLocation, root: None,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Stand-in for libbcc segfaulting: the child dies by a signal.
    monkeypatch.setattr(bccenv, "python_argv", lambda *_: [
        sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"])
    res = bccenv.try_compile()
    assert not res.ok and "killed by signal 11" in res.detail
