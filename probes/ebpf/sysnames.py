"""Syscall number -> name, asked of the running kernel rather than taken from a per-arch table.

tracefs names every syscall the kernel has (``events/syscalls/sys_enter_*``) but not its
number, and the raw ``sys_enter``/``sys_exit`` tracepoints the probe counts with give numbers
only.  To link the two, a throwaway child (:mod:`perftui.probes.ebpf.nrchild`) calls every number
under a seccomp filter that refuses each call with errno = number + 1, while a private ftrace
instance records the child's ``sys_exit_*`` events: "sys_openat -> -258" means openat is 257.
Nothing is executed; the instance is removed afterwards.

Why not attach to the ``syscalls:sys_enter_*`` events instead: each of their perf events
costs ~50 ms of RCU synchronisation when closed, serialised, so ~360 of them take 18 s to
tear down.  An ftrace instance is switched off in one write.
"""

from __future__ import annotations

import mmap
import os
import re
import shutil
import struct
import subprocess
import time
from pathlib import Path

from perftui.probes import tracefs
from perftui.probes.spawn import CHILD_CWD, child_env, python_argv

LAST_NR = 1023  # errno data is at most 4095; no architecture has more than ~470 syscalls
TIMEOUT_S = 5.0
MAX_RESTARTS = 16  # a few numbers kill their caller (uretprobe ignores seccomp)

_EXIT = re.compile(r"-(\d+)\s+\[\d+\][^:]*: sys_(\w+) -> 0x([0-9a-f]+)")
_ENTER = re.compile(r"-(\d+)\s+\[\d+\][^:]*: sys_(\w+)\(")
_SECCOMP_ON = "option: 0x16,"  # PR_SET_SECCOMP


def syscall_name(names: dict[int, str], nr: int) -> str:
    """The name syscall ``nr`` is shown by (``uname``, not the kernel's ``newuname``)."""
    name = names.get(nr)
    return tracefs.user_name(name) if name else f"syscall_{nr}"


class NamesUnavailable(OSError):
    pass


def parse_trace(text: str, firsts: dict[int, int]) -> dict[int, str]:
    """number -> name from the trace of the children (pid -> first number it tried).

    A refused call shows as ``sys_NAME -> 0xRET`` with RET = -(nr + 1), and no enter event
    (seccomp runs before the enter tracepoint).  A call seccomp lets through (uretprobe,
    uprobe) shows its enter event: its number is one more than the last refused one.
    Only lines after a pid's ``prctl(PR_SET_SECCOMP)`` count: before it the child is still
    starting Python, and its real failures (ENOENT...) would read as numbers."""
    names: dict[int, str] = {}
    last: dict[int, int] = {}  # pid -> last number decoded; absent until armed
    for line in text.splitlines():
        m = _ENTER.search(line)
        if m:
            pid = int(m.group(1))
            if m.group(2) == "prctl" and _SECCOMP_ON in line and pid in firsts:
                last[pid] = firsts[pid] - 1
            elif pid in last:
                last[pid] += 1
                names.setdefault(last[pid], m.group(2))
            continue
        m = _EXIT.search(line)
        if m and int(m.group(1)) in last:
            ret = int(m.group(3), 16)
            if ret >= 1 << 63:
                ret -= 1 << 64
            if -4096 < ret <= -1 and -ret - 1 > last[int(m.group(1))]:
                last[int(m.group(1))] = -ret - 1
                names.setdefault(-ret - 1, m.group(2))
    return names


PREFIX = "perftui-nr-"


class _Instance:
    """A private ftrace instance that records the syscall events of chosen pids."""

    def __init__(self) -> None:
        base = tracefs.root() / "instances"
        for stale in base.glob(f"{PREFIX}*"):  # left by a probe killed while naming
            pid = stale.name[len(PREFIX):]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                _Instance.remove_dir(stale)
        self.path = base / f"{PREFIX}{os.getpid()}"
        self.path.mkdir()
        (self.path / "buffer_size_kb").write_text("256")

    def follow(self, pid: int) -> None:
        # Opened without O_TRUNC (and without O_APPEND, which tracefs refuses): adds a pid.
        fd = os.open(self.path / "set_event_pid", os.O_WRONLY)
        try:
            os.write(fd, f"{pid}\n".encode())
        finally:
            os.close(fd)

    def enable(self, on: bool) -> None:
        (self.path / "events" / "syscalls" / "enable").write_text("1" if on else "0")

    def text(self) -> str:
        return (self.path / "trace").read_text(errors="replace")

    def remove(self) -> None:
        _Instance.remove_dir(self.path)

    @staticmethod
    def remove_dir(path: Path) -> None:
        try:
            (path / "events" / "syscalls" / "enable").write_text("0")
        except OSError:
            pass
        for _ in range(50):  # rmdir fails with EBUSY while a reader still holds it
            try:
                path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)


def _run_child(first: int, inst: _Instance, progress: mmap.mmap, fd: int) -> tuple[int, int]:
    """Run one child from ``first``; (number it reached, its pid).  Done when reached > LAST."""
    struct.pack_into("ii", progress, 0, first - 1, 0)
    child = subprocess.Popen(
        python_argv("perftui.probes.ebpf.nrchild", str(first), str(LAST_NR), str(fd)),
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        pass_fds=(fd,), cwd=CHILD_CWD, env=child_env())
    try:
        inst.follow(child.pid)
        assert child.stdin is not None
        child.stdin.write(b"g")
        child.stdin.close()
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            reached, done = struct.unpack_from("ii", progress, 0)
            if done:
                return LAST_NR + 1, child.pid
            if child.poll() is not None:
                return reached, child.pid
            time.sleep(0.002)
        raise NamesUnavailable(f"syscall-number child stalled at {reached}")
    finally:
        child.kill()
        child.wait()


def discover() -> dict[int, str]:
    """number -> name for every syscall of the running kernel.  Needs root and tracefs;
    raises OSError (NamesUnavailable) otherwise."""
    known = set(tracefs.syscall_names())
    firsts: dict[int, int] = {}
    fd = os.memfd_create("perftui-nr", 0)
    try:
        os.ftruncate(fd, 8)
        progress = mmap.mmap(fd, 8)
        inst = _Instance()
        try:
            inst.enable(True)
            first = 0
            for _ in range(MAX_RESTARTS):
                reached, pid = _run_child(first, inst, progress, fd)
                firsts[pid] = first
                if reached > LAST_NR:
                    break
                first = max(reached, first) + 1  # the child died in ``reached``: skip it
            inst.enable(False)
            names = parse_trace(inst.text(), firsts)
        finally:
            inst.remove()
            progress.close()
    finally:
        os.close(fd)
    # Keep only names tracefs also lists: a stray line cannot invent a syscall.
    out = {nr: name for nr, name in names.items() if name in known}
    if not out:
        raise NamesUnavailable("no syscall events were recorded")
    return out


def main() -> int:
    start = time.monotonic()
    names = discover()
    width = shutil.get_terminal_size().columns
    line = ""
    for nr in sorted(names):
        item = f"{nr}:{names[nr]} "
        if len(line) + len(item) > width:
            print(line)
            line = ""
        line += item
    print(line)
    print(f"{len(names)} syscalls in {time.monotonic() - start:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
