"""Prepare bcc (BPF Compiler Collection) for perftui, and import it.

bcc is found by :mod:`perftui.probes.companions` (this interpreter's, else the system's
dist-packages, which a pyenv or venv interpreter does not search).  bcc also compiles C at
run time and needs kernel headers, and its tracepoints need tracefs mounted.  Each of these
is checked here and returned as a small status with the command that fixes it; nothing here
raises for a missing piece except :func:`import_bcc`, which the eBPF probe calls when it
really needs the module.

Run ``python3 -m perftui.probes.bccenv`` to print the statuses.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import importlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from perftui.probes.companions import FIX_BCC, Status, locate_bcc
from perftui.probes.spawn import (
    CHILD_CWD,
    child_env,
    python_argv,
    running_as_root,
    untrusted_reason,
)

# Where setup-bcc.sh builds the merged Debian header tree (a fixed project location,
# so neither the app nor the user has to export anything).
PROJECT_KERNEL_SRC = Path("/usr/local/share/perftui/kernel-src")
TRACEFS = Path("/sys/kernel/tracing")
# bcc prefers this path when it exists (debugfs mounted), so it counts as mounted too.
DEBUGFS_TRACING = Path("/sys/kernel/debug/tracing")

KERNEL_SOURCE_ENV = "BCC_KERNEL_SOURCE"

# Installs headers with apt and builds that tree; shipped beside this module (in the wheel too).
SETUP_SCRIPT = Path(__file__).with_name("setup-bcc.sh")


def fix_headers() -> str:
    """The command that gets kernel headers bcc can use: the shipped script, as root."""
    return ("" if running_as_root() else "sudo ") + f"bash {SETUP_SCRIPT}"


@dataclass(frozen=True)
class KernelSource(Status):
    path: Path | None = None
    origin: str = ""  # "BCC_KERNEL_SOURCE", "running kernel" or "perftui tree"


class TracefsState(enum.Enum):
    ALREADY = "already mounted"
    MOUNTED = "mounted now"
    FAILED = "failed"


@dataclass(frozen=True)
class TracefsStatus(Status):
    state: TracefsState = TracefsState.FAILED
    path: Path = TRACEFS


@dataclass(frozen=True)
class CompileResult(Status):
    elapsed: float = 0.0  # compile + load + attach, measured inside the child
    total: float = 0.0  # wall clock of the whole child (interpreter start, import, compile)
    events: int = 0  # syscalls the test program counted while attached


class BccUnavailable(RuntimeError):
    def __init__(self, status: Status) -> None:
        super().__init__(status.detail)
        self.status = status


def kernel_source() -> KernelSource:
    """The kernel header tree bcc should compile against.

    Order: BCC_KERNEL_SOURCE, then the running kernel's own headers (they match its struct
    layouts, so they beat the workaround), then the perftui merged Debian tree.
    """
    env = os.environ.get(KERNEL_SOURCE_ENV)
    if env:
        # Headers are compiled into a program root loads into the kernel: root takes them
        # only from a tree no one else can change.
        distrust = untrusted_reason(env) if running_as_root() and Path(env).is_dir() else ""
        if distrust:
            return KernelSource(False, f"{KERNEL_SOURCE_ENV} ignored: {distrust}",
                                f"unset {KERNEL_SOURCE_ENV}, or chown -R root {env}")
        if Path(env).is_dir():
            return KernelSource(True, f"{env} (from {KERNEL_SOURCE_ENV})", path=Path(env),
                                origin=KERNEL_SOURCE_ENV)
        return KernelSource(False, f"{KERNEL_SOURCE_ENV}={env} is not a directory",
                            f"unset {KERNEL_SOURCE_ENV}")
    release = platform.release()
    own = Path("/lib/modules", release, "build")
    if own.is_dir():
        return KernelSource(True, f"{own.resolve()} (running kernel {release})", path=own,
                            origin="running kernel")
    if (PROJECT_KERNEL_SRC / "include").is_dir():
        made_from = _read_marker()
        detail = f"{PROJECT_KERNEL_SRC} ({made_from or 'merged Debian headers'}; kernel {release}"
        return KernelSource(True, detail + ", use tracepoint args only)",
                            path=PROJECT_KERNEL_SRC, origin="perftui tree")
    return KernelSource(False, f"no kernel headers for {release} and no {PROJECT_KERNEL_SRC}",
                        fix_headers())


def _read_marker() -> str:
    try:
        return (PROJECT_KERNEL_SRC / ".perftui-source").read_text().split()[0]
    except (OSError, IndexError):
        return ""


def bcc_environ(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: os.environ) plus what libbcc needs, e.g. BCC_KERNEL_SOURCE."""
    env = dict(os.environ if base is None else base)
    ks = kernel_source()
    # libbcc finds /lib/modules/$(uname -r)/build by itself; anything else must be named.
    if ks.ok and ks.path is not None and ks.origin == "perftui tree":
        env[KERNEL_SOURCE_ENV] = str(ks.path)
    return env


def import_bcc() -> ModuleType:
    """Import bcc (from dist-packages if need be) and point it at kernel headers.

    Only the ``bcc`` package is loaded from dist-packages: putting that whole directory on
    sys.path would let Debian's older copies of other packages shadow ours.
    """
    loc = locate_bcc()
    if not loc.ok or loc.path is None:
        raise BccUnavailable(loc)
    if KERNEL_SOURCE_ENV not in os.environ:
        extra = bcc_environ()
        if KERNEL_SOURCE_ENV in extra:
            os.environ[KERNEL_SOURCE_ENV] = extra[KERNEL_SOURCE_ENV]  # libbcc reads getenv()
    if "bcc" in sys.modules:
        return sys.modules["bcc"]
    try:
        if not loc.from_dist:
            return importlib.import_module("bcc")
        spec = importlib.util.spec_from_file_location(
            "bcc", loc.path / "__init__.py", submodule_search_locations=[str(loc.path)])
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {loc.path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bcc"] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop("bcc", None)
            raise
        return module
    except Exception as exc:  # libbcc.so missing raises OSError from ctypes, etc.
        raise BccUnavailable(Status(False, f"import bcc failed: {exc}", FIX_BCC)) from exc


def tracefs_mounted() -> bool:
    return TRACEFS.is_mount() or (DEBUGFS_TRACING / "events").is_dir()


def ensure_tracefs() -> TracefsStatus:
    """Mount tracefs at /sys/kernel/tracing if it is not, when we are allowed to."""
    mount_cmd = f"mount -t tracefs nodev {TRACEFS}"
    if tracefs_mounted():
        return TracefsStatus(True, f"{TRACEFS} already mounted", state=TracefsState.ALREADY)
    if os.geteuid() != 0:
        return TracefsStatus(False, "not mounted, and mounting needs root",
                             f"sudo {mount_cmd}")
    if not TRACEFS.is_dir():
        return TracefsStatus(False, f"{TRACEFS} does not exist (kernel without tracefs?)")
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    rc = libc.mount(b"nodev", str(TRACEFS).encode(), b"tracefs", ctypes.c_ulong(0), None)
    if rc != 0:
        err = ctypes.get_errno()
        return TracefsStatus(False, f"mount failed: {os.strerror(err)}", mount_cmd)
    return TracefsStatus(True, f"{TRACEFS} mounted now by perftui",
                         state=TracefsState.MOUNTED)


# The smallest program that exercises the whole path: C compile against the headers, a
# tracepoint format read from tracefs, a map, load, attach, and events actually counted.
TEST_PROGRAM = r"""
BPF_ARRAY(counts, u64, 1);
TRACEPOINT_PROBE(raw_syscalls, sys_enter) {
    counts.atomic_increment(0);
    return 0;
}
"""



def try_compile(timeout: float = 60.0) -> CompileResult:
    """Compile, attach and detach a tiny tracepoint program in a child process.

    A child, because libbcc can hang or crash (it is C++ running clang): the caller
    gets a failed result instead of going down with it.
    """
    for pre in (locate_bcc(), kernel_source(), ensure_tracefs()):
        if not pre.ok:
            return CompileResult(False, pre.detail, pre.fix)
    start = time.monotonic()
    try:
        proc = subprocess.run(
            python_argv("perftui.probes.compilecheck"), env=child_env(bcc_environ()), cwd=CHILD_CWD,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
            check=False)
    except subprocess.TimeoutExpired:
        return CompileResult(False, f"compile timed out after {timeout:.0f} s",
                             total=time.monotonic() - start)
    except OSError as exc:
        return CompileResult(False, f"cannot start {sys.executable}: {exc}")
    total = time.monotonic() - start
    report = _last_json(proc.stdout)
    if proc.returncode == 0 and report.get("ok"):
        elapsed = float(report.get("compile_s", 0.0))
        events = int(report.get("events", 0))
        return CompileResult(True, f"tracepoint program compiled in {elapsed:.2f} s, "
                             f"counted {events} syscalls", elapsed=elapsed, total=total,
                             events=events)
    if proc.returncode < 0:
        why = f"compile child killed by signal {-proc.returncode}"
    else:
        why = str(report.get("error") or f"compile child exited {proc.returncode}")
    tail = " | ".join(line for line in proc.stderr.strip().splitlines()[-3:] if line)
    fix = report.get("fix")
    return CompileResult(False, why + (f" [{tail}]" if tail else ""),
                         fix if isinstance(fix, str) else None, total=total)


def _last_json(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def compile_child() -> int:
    """Body of the try_compile child: prints one JSON line on stdout."""
    def emit(**fields: object) -> None:
        print(json.dumps(fields), flush=True)

    try:
        bcc = import_bcc()
    except BccUnavailable as exc:
        emit(ok=False, error=exc.status.detail, fix=exc.status.fix)
        return 1
    start = time.monotonic()
    try:
        prog = bcc.BPF(text=TEST_PROGRAM)  # compiles, loads and attaches TRACEPOINT_PROBEs
    except Exception as exc:
        emit(ok=False, error=f"compile/attach failed: {exc}")
        return 1
    elapsed = time.monotonic() - start
    try:
        time.sleep(0.02)  # a few syscalls of our own at least
        events = sum(int(v.value) for v in prog["counts"].values())
    finally:
        prog.cleanup()
    if events <= 0:
        emit(ok=False, error="program attached but counted no syscalls")
        return 1
    emit(ok=True, compile_s=round(elapsed, 3), events=events)
    return 0


def main() -> int:
    for name, status in (("bcc module", locate_bcc()), ("kernel headers", kernel_source()),
                         ("tracefs", ensure_tracefs()), ("compile", try_compile())):
        mark = "ok" if status.ok else "MISSING"
        print(f"{name:15} {mark:8} {status.detail}")
        if status.fix and not status.ok:
            print(f"{'':15} fix:     {status.fix}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
