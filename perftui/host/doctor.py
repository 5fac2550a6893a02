"""``perftui doctor [-p PID]``: what perftui can observe on this host, and for one process.

Every check asks the kernel for real (open the file, make the syscall) instead of inferring
from configuration, and says how to fix what is missing.  Checks never raise: a check that
breaks is itself reported as a failed row.
"""

from __future__ import annotations

import enum
import errno
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.table import Table

from perftui.host import capabilities, framepointers, kernelcheck
from perftui.probes import bccenv, companions
from perftui.probes.companions import NotFound as PySpyNotFound
from perftui.probes.companions import find_pyspy
from perftui.probes.spawn import CHILD_CWD, child_env
from perftui.safetext import clean, clean_markup


class Level(enum.Enum):
    OK = "ok"
    DEGRADED = "degraded"  # works, with less data or less precision
    MISSING = "missing"


@dataclass(frozen=True)
class Check:
    name: str
    level: Level
    detail: str
    fix: str | None = None


class NoProcess(LookupError):
    pass


def _errname(err: int) -> str:
    return f"{errno.errorcode.get(err, str(err))}: {os.strerror(err)}"


def _as_root(pid: int) -> str | None:
    """The fix for "permission denied": run as root, unless we already are."""
    return None if capabilities.is_root() else f"sudo perftui -p {pid}"


# --- /proc -------------------------------------------------------------------------------

# (file, what perftui reads from it, whether the kernel wants ptrace-read access for it)
_PROC_FILES = (
    ("stat", "cpu times, state, threads", False),
    ("status", "uids, memory, context switches", False),
    ("io", "read/write bytes and syscall counts", True),
    ("smaps_rollup", "PSS/USS memory", True),
    ("fd", "open files and sockets", True),
)


def check_proc(pid: int) -> Iterator[Check]:
    for name, what, needs_ptrace in _PROC_FILES:
        path = Path(f"/proc/{pid}/{name}")
        try:
            if path.is_dir():
                n = len(os.listdir(path))
                detail = f"{n} open fds"
            else:
                with path.open("rb") as f:
                    f.read(4096)
                detail = what
            yield Check(f"/proc/{pid}/{name}", Level.OK, detail)
        except OSError as exc:
            why = _errname(exc.errno or 0)
            if needs_ptrace:
                why += (" (protected or non-dumpable process)" if capabilities.is_root()
                        else " (needs ptrace-read access: same user, or root)")
            # stat/status are the basics; the others only remove some panes' data.
            level = Level.DEGRADED if needs_ptrace else Level.MISSING
            yield Check(f"/proc/{pid}/{name}", level, f"{what}: {why}", _as_root(pid))


# --- ptrace / py-spy ---------------------------------------------------------------------

def check_ptrace(pid: int) -> Check:
    scope = capabilities.read_sysctl("kernel.yama.ptrace_scope")
    scope_txt = "no Yama" if scope is None else f"kernel.yama.ptrace_scope={scope}"
    err = kernelcheck.vm_read_access(pid)
    if err == 0:
        return Check("ptrace (py-spy)", Level.OK, f"can read its memory ({scope_txt})")
    why = _errname(err)
    fix = _as_root(pid)
    their = capabilities.uids(pid)
    privileged = capabilities.has_cap(capabilities.CAP_SYS_PTRACE)
    if scope == "3":
        why += "; ptrace_scope=3 disables ptrace until reboot"
        fix = None
    elif their and their[0] != os.getuid() and not privileged:
        why += f"; process belongs to uid {their[0]}, you are uid {os.getuid()}"
    elif scope in ("1", "2") and not privileged:
        why += f"; {scope_txt} allows only {'parents' if scope == '1' else 'CAP_SYS_PTRACE'}"
        if scope == "1":
            fix = "sudo sysctl kernel.yama.ptrace_scope=0  # or run perftui as root"
    elif privileged:
        why += "; refused despite CAP_SYS_PTRACE (protected or non-dumpable process)"
        fix = None
    return Check("ptrace (py-spy)", Level.MISSING, why, fix)


def check_pyspy() -> Check:
    # The same lookup the probe makes (next to this interpreter, then PATH; as root only a
    # root-owned binary), so doctor judges the py-spy that would really run.
    try:
        found = find_pyspy()
    except PySpyNotFound as exc:
        return Check("py-spy", Level.MISSING, f"{exc} (Python stacks unavailable)",
                     f"{sys.executable} -m pip install py-spy")
    exe = found.path
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=5,
                              stdin=subprocess.DEVNULL, cwd=CHILD_CWD, env=child_env(),
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("py-spy", Level.MISSING, f"{exe} does not run: {exc}",
                     f"{sys.executable} -m pip install --force-reinstall py-spy")
    version = proc.stdout.strip()
    if proc.returncode != 0 or not version:
        return Check("py-spy", Level.MISSING, f"{exe} --version failed: {proc.stderr.strip()}",
                     f"{sys.executable} -m pip install --force-reinstall py-spy")
    return Check("py-spy", Level.OK, f"{version}: {exe} ({found.origin})")


# --- privileges, tracefs, bcc ------------------------------------------------------------

def check_privileges() -> Iterator[Check]:
    root = capabilities.is_root()
    yield Check("root", Level.OK if root else Level.DEGRADED,
                "euid 0" if root else f"euid {os.geteuid()} (eBPF probes need root)",
                None if root else "sudo perftui ...")
    caps = capabilities.effective_caps()
    names = ("CAP_BPF", "CAP_PERFMON", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE")
    held = [n for n in names if caps >> getattr(capabilities, n) & 1]
    lacking = [n for n in names if n not in held]
    # CAP_SYS_ADMIN alone covers BPF and perf on all kernels; CAP_BPF+CAP_PERFMON on >= 5.8.
    bpf_ok = "CAP_SYS_ADMIN" in held or {"CAP_BPF", "CAP_PERFMON"} <= set(held)
    detail = f"CapEff has {', '.join(held) or 'none of them'}"
    if lacking:
        detail += f"; lacks {', '.join(lacking)}"
    yield Check("capabilities", Level.OK if bpf_ok else Level.DEGRADED, detail,
                None if bpf_ok else "sudo perftui ...  # eBPF needs CAP_BPF + CAP_PERFMON")


def check_tracefs() -> Check:
    st = bccenv.ensure_tracefs()
    return Check("tracefs", Level.OK if st.ok else Level.MISSING, st.detail, st.fix)


def check_bcc_module() -> Check:
    loc = companions.locate_bcc()
    return Check("bcc module", Level.OK if loc.ok else Level.MISSING, loc.detail, loc.fix)


def check_kernel_source() -> Check:
    ks = bccenv.kernel_source()
    return Check("kernel headers", Level.OK if ks.ok else Level.MISSING, ks.detail, ks.fix)


def check_bcc_compile() -> Check:
    res = bccenv.try_compile()
    if res.ok:
        return Check("bcc compile", Level.OK,
                     f"{res.detail} (child total {res.total:.2f} s)")
    return Check("bcc compile", Level.MISSING, res.detail, res.fix)


# --- perf events, sock_diag --------------------------------------------------------------

def check_perf_events(pid: int) -> Check:
    paranoid = capabilities.read_sysctl("kernel.perf_event_paranoid")
    setting = f"kernel.perf_event_paranoid={paranoid}"
    err = kernelcheck.perf_event_open_cpu_clock(pid)
    if err:
        fix = None if err == errno.ENOSYS else _as_root(pid)
        return Check("perf events", Level.MISSING,
                     f"perf_event_open(cpu-clock, pid {pid}): {_errname(err)} ({setting})", fix)
    privileged = capabilities.has_cap(capabilities.CAP_PERFMON) or capabilities.has_cap(
        capabilities.CAP_SYS_ADMIN)
    if privileged or (paranoid is not None and paranoid.lstrip("-").isdigit()
                      and int(paranoid) <= 0):
        return Check("perf events", Level.OK,
                     f"cpu-clock counter opened on pid {pid} ({setting})")
    # Per-process user-space counting works; system-wide and kernel stacks do not.
    return Check("perf events", Level.DEGRADED,
                 f"user-space cpu-clock on pid {pid} only ({setting})",
                 "sudo sysctl kernel.perf_event_paranoid=0  # or run as root")


def check_sock_diag() -> Check:
    try:
        n = kernelcheck.sock_diag_tcp_listeners()
    except OSError as exc:
        return Check("sock_diag", Level.MISSING,
                     f"NETLINK_SOCK_DIAG: {exc} (per-connection TCP bytes unavailable)",
                     "modprobe inet_diag tcp_diag")
    return Check("sock_diag", Level.OK, f"NETLINK_SOCK_DIAG answered (TCP listeners: {n})")


def check_frame_pointers(pid: int) -> Iterator[Check]:
    """The target's native code (and its libpython): are native stacks whole or leaf-only?"""
    verdicts = [framepointers.inspect(p) for p in framepointers.native_code_of(pid)]
    told = [v for v in verdicts if v.kept is not None] or verdicts[:1]
    for v in told:
        name = "frame pointers"
        if v.kept:
            yield Check(name, Level.OK, f"kept in {Path(v.path).name} ({v.share:.0%} of "
                        f"{v.functions} functions set one up): native stack samples show "
                        "whole call chains")
        elif v.kept is False:
            yield Check(name, Level.DEGRADED,
                        f"{v.path} is built without frame pointers: native (eBPF) stack "
                        "samples show the leaf function only, marked [incomplete stack]; "
                        "py-spy's Python stacks are not affected",
                        "rebuild it with CFLAGS=-fno-omit-frame-pointer")
        else:
            yield Check(name, Level.DEGRADED, f"cannot tell for {v.path}: {v.why}")


# --- running and printing ----------------------------------------------------------------

def _guard(name: str, fn: Callable[[], Check | Iterator[Check]]) -> list[Check]:
    """Run one check; a bug or surprise in it becomes a row, never a traceback."""
    try:
        out = fn()
        return [out] if isinstance(out, Check) else list(out)
    except PermissionError as exc:  # another user's process, read without root
        what = f" to {exc.filename}" if exc.filename else ""
        return [Check(name, Level.MISSING, f"permission denied{what}",
                      "run perftui as the process's user, or as root")]
    except Exception as exc:
        return [Check(name, Level.MISSING, f"check crashed: {type(exc).__name__}: {exc}")]


def collect(pid: int | None, *, compile_bcc: bool = True) -> list[Check]:
    """All checks for ``pid`` (this process when None).  Raises NoProcess."""
    target = os.getpid() if pid is None else pid
    if target <= 0 or not Path(f"/proc/{target}").is_dir():
        raise NoProcess(f"no process {pid}")
    steps: list[tuple[str, Callable[[], Check | Iterator[Check]]]] = [
        ("/proc", lambda: check_proc(target)),
        ("ptrace (py-spy)", lambda: check_ptrace(target)),
        ("py-spy", check_pyspy),
        ("privileges", check_privileges),
        ("tracefs", check_tracefs),
        ("bcc module", check_bcc_module),
        ("kernel headers", check_kernel_source),
        ("perf events", lambda: check_perf_events(target)),
        ("sock_diag", check_sock_diag),
        ("frame pointers", lambda: check_frame_pointers(target)),
    ]
    if compile_bcc:
        steps.append(("bcc compile", check_bcc_compile))
    checks: list[Check] = []
    for name, fn in steps:
        checks.extend(_guard(name, fn))
    return checks


def basics_ok(checks: list[Check], pid: int) -> bool:
    wanted = {f"/proc/{pid}/stat", f"/proc/{pid}/status"}
    return all(c.level is Level.OK for c in checks if c.name in wanted)


_STYLE = {Level.OK: "green", Level.DEGRADED: "yellow", Level.MISSING: "bold red"}


def _describe(pid: int, is_self: bool) -> str:
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        comm = "?"
    who = "this process" if is_self else "pid"
    return f"{who} {pid} ({clean(comm)})"


def run(pid: int | None, out: TextIO) -> int:
    """Print the doctor report to ``out``; 0 if the basics work, 1 if not, 2 if no process."""
    width = None if out.isatty() else 120
    console = Console(file=out, width=width, highlight=False, soft_wrap=False)
    try:
        start = time.monotonic()
        try:
            checks = collect(pid)
        except NoProcess as exc:
            console.print(clean(exc), markup=False)
            return 2
        elapsed = time.monotonic() - start
        target = os.getpid() if pid is None else pid
        title = (f"perftui doctor: {_describe(target, pid is None)}, kernel "
                 f"{platform.release()}, python {platform.python_version()}")
        console.print(title, markup=False)
        table = Table()
        table.add_column("check", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("detail")
        for c in checks:
            table.add_row(clean_markup(c.name), f"[{_STYLE[c.level]}]{c.level.value}[/]",
                          clean_markup(c.detail))
        console.print(table)
        fixes = [c for c in checks if c.fix and c.level is not Level.OK]
        if fixes:
            console.print("fixes:")
            for c in fixes:
                # Plain lines, never wrapped, so the command can be copied as is.
                console.print(f"  {c.name}: {clean(c.fix)}", soft_wrap=True, markup=False)
        console.print(f"checked in {elapsed:.2f} s")
        return 0 if basics_ok(checks, target) else 1
    except Exception as exc:  # never a traceback from doctor
        console.print(f"perftui doctor failed: {type(exc).__name__}: {clean(exc)}",
                      markup=False)
        return 1


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="perftui doctor", description=__doc__)
    parser.add_argument("-p", "--pid", type=int, help="process to check (default: this one)")
    args = parser.parse_args(argv)
    return run(args.pid, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
