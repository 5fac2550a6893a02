"""Finding the process to watch: by PID, by name, by starting a command, or the demo."""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

from perftui.probes.spawn import CHILD_CWD, child_env
from perftui.safetext import clean
from perftui.sources.launch import HeldChild, LaunchError


class TargetError(Exception):
    """A user-facing problem with the target: printed as one line, exit status 2."""


@dataclass(frozen=True)
class Candidate:
    pid: int
    user: str
    command: str


@dataclass
class Target:
    pid: int
    label: str
    child: HeldChild | None = None  # set when perftui started the target (held until released)
    log_path: str | None = None  # where a started target's output goes


def check_pid(pid: int) -> None:
    """Raise TargetError unless ``pid`` is a live process whose /proc entry we can read."""
    if pid <= 0:
        raise TargetError(f"invalid pid {pid}")
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except FileNotFoundError:
        raise TargetError(f"no process {pid}") from None
    except PermissionError:
        raise TargetError(
            f"not permitted to read process {pid}: run perftui as the process's user or "
            "as root (see `perftui doctor -p PID`)") from None
    state = stat[stat.rfind(b")") + 2:][:1]
    if state in (b"Z", b"X"):
        raise TargetError(f"process {pid} has exited (zombie, not yet reaped by its parent)")
    tgid = _tgid(pid)
    if tgid is not None and tgid != pid:  # /proc/TID exists for threads too, but unlisted
        raise TargetError(f"{pid} is a thread of process {tgid}, not a process: "
                          f"use -p {tgid}")


def _tgid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"Tgid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def describe(pid: int) -> str:
    try:
        p = psutil.Process(pid)
        cmd = " ".join(p.cmdline()) or p.name()
    except psutil.Error:
        cmd = "?"
    return f"pid {pid} ({clean(cmd)})"


def find_by_name(name: str) -> list[Candidate]:
    """Processes whose name or command matches ``name`` (a regular expression, like pgrep)."""
    try:
        pattern = re.compile(name)
    except re.error as exc:
        raise TargetError(f"bad name pattern {name!r}: {exc}") from None
    skip = {os.getpid(), os.getppid()}
    found: list[Candidate] = []
    for p in psutil.process_iter(["pid", "name", "username", "cmdline", "status"]):
        info = p.info
        if info["pid"] in skip or info["status"] == psutil.STATUS_ZOMBIE:
            continue
        cmdline = info["cmdline"] or []
        exe_name = os.path.basename(cmdline[0]) if cmdline else ""
        if pattern.search(info["name"] or "") or (exe_name and pattern.search(exe_name)):
            command = " ".join(cmdline) or f"[{info['name']}]"
            found.append(Candidate(info["pid"], clean(info["username"] or "?"), clean(command)))
    return sorted(found, key=lambda c: c.pid)


def format_candidates(candidates: list[Candidate]) -> str:
    lines = [f"{'PID':>7}  {'USER':<10} COMMAND"]
    lines += [f"{c.pid:>7}  {c.user:<10} {c.command[:100]}" for c in candidates]
    return "\n".join(lines)


def spawn(argv: list[str], keep_output: bool = True, own_code: bool = False,
          executable: str | None = None, cwd: str | None = None) -> Target:
    """Start ``argv`` held before its exec (see perftui.sources.launch), its output sent to
    a log file (the terminal belongs to the UI).  The live source releases it once the
    probes watch it.

    ``own_code``: argv is perftui's own program, run isolated like a probe (not the user's
    command, which keeps the user's directory and environment)."""
    if keep_output:
        fd, log_path = tempfile.mkstemp(prefix="perftui-target-", suffix=".log")
    else:
        fd, log_path = os.open(os.devnull, os.O_WRONLY), os.devnull
    try:
        child = HeldChild(argv, output_fd=fd, cwd=cwd or (CHILD_CWD if own_code else None),
                          env=child_env() if own_code else None, executable=executable)
    except LaunchError as exc:
        if keep_output:
            os.unlink(log_path)
        raise TargetError(clean(str(exc))) from None
    finally:
        os.close(fd)
    return Target(child.pid, f"pid {child.pid} ({clean(shlex.join(argv))})", child,
                  log_path if keep_output else None)


def spawn_demo() -> Target:
    # Run as a script from its own folder (it needs only the standard library), so the
    # header reads "python3 -I demo.py" and names no path of this machine; -I: nothing
    # from the environment, and no folder but perftui's own on sys.path.
    here = str(Path(__file__).parent)
    target = spawn(["python3", "-I", "demo.py"], keep_output=False, own_code=True,
                   executable=sys.executable, cwd=here)
    target.label = f"pid {target.pid} (built-in demo)"
    return target
