"""Which probes to run for a target: procfs always, pyspy when the target looks like CPython,
the native stack sampler when asked or, for other targets, when it can run (root, bcc found),
and a per-syscall counter: the eBPF probe with root and bcc, else its perf_event fallback when
tracepoint counters are allowed, else none.

The look is cheap and needs no ptrace: the executable's name, a libpython in its maps, argv[0]
or comm (see ``perftui.probes.targetinfo.python_version``).  A miss is not final: the pyspy probe
itself asks py-spy, which also finds interpreters embedded under other names when asked with
``force_python``.  Each probe left out comes with a sentence saying why, for the header.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from perftui.probes.targetinfo import file_python_version, python_version
from perftui.sources.probeproc import ProbeSpec

PROCFS = ProbeSpec("procfs", "perftui.probes.procfs")
PYSPY = "pyspy"
# A held command is released once each probe watches it: procfs took its first sample,
# the BPF programs are attached (ebpf's ``caps``; the stack sampler's ``hello``).
STACKS = ProbeSpec("stacks", "perftui.probes.stacks", ready_on=("hello",))
EBPF = ProbeSpec("ebpf", "perftui.probes.ebpf", ready_on=("caps",))
PERFCOUNT = ProbeSpec("perfcount", "perftui.probes.perfcount", ready_on=("caps",))


@dataclass(frozen=True)
class Selection:
    probes: tuple[ProbeSpec, ...]
    python: str | None  # "3.11", "" (Python, version unknown) or None (not Python)
    notes: tuple[str, ...]  # one sentence per probe left out


# py-spy chunks grow to this while the drill-down is closed (it asks for "fresh" 2-s chunks
# while open): each py-spy start costs 12-18 ms of CPU (perftui.probes.pyspy.sampler).
PYSPY_MAX_CHUNK_S = 8


# Recording: chunks of at most this, so a window of the session gets the samples that fall
# in it within a second (a chunk counts at its midpoint).  Costs a py-spy start every 2 s.
PYSPY_RECORD_CHUNK_S = 2


def pyspy_spec(*, rate: int = 100, idle: bool = False, gil: bool = False,
               native: bool = False, subprocesses: bool = False,
               max_chunk: int = PYSPY_MAX_CHUNK_S) -> ProbeSpec:
    args = [] if rate == 100 else ["--rate", str(rate)]
    args += ["--max-chunk", str(max_chunk)]
    for on, flag in ((idle, "--idle"), (gil, "--gil"), (native, "--native"),
                     (subprocesses, "--subprocesses")):
        if on:
            args.append(flag)
    return ProbeSpec(PYSPY, "perftui.probes.pyspy", args, after_exec=True)


def following_children(spec: ProbeSpec) -> ProbeSpec:
    """``spec`` watching the target's descendants too, where the probe can (procfs, ebpf and
    the perf-counter fallback: ``--children``, the last as the tree's sums only; pyspy is
    given ``--subprocesses`` by pyspy_spec; the native stack sampler sees the target alone)."""
    if spec.module in (PROCFS.module, EBPF.module, PERFCOUNT.module) \
            and "--children" not in spec.args:
        return replace(spec, args=[*spec.args, "--children"])
    return spec


def native_stacks_possible() -> bool:
    """Root and bcc on disk.  Nothing is compiled here: the probe reports its own failure."""
    from perftui.probes.companions import locate_bcc

    return os.geteuid() == 0 and locate_bcc().ok


def perf_tracepoints_allowed() -> bool:
    """Tracepoint counters need CAP_PERFMON (or CAP_SYS_ADMIN, root) or
    perf_event_paranoid <= -1, and a readable tracefs for the events' ids."""
    from perftui.host import capabilities
    from perftui.probes import tracefs

    privileged = capabilities.has_cap(capabilities.CAP_PERFMON) or capabilities.has_cap(
        capabilities.CAP_SYS_ADMIN)
    paranoid = capabilities.read_sysctl("kernel.perf_event_paranoid") or ""
    if not privileged and not (paranoid.lstrip("-").isdigit() and int(paranoid) <= -1):
        return False
    try:
        return tracefs.has_event("syscalls", "sys_enter_read")
    except OSError:
        return False


def syscall_probe() -> tuple[ProbeSpec | None, str]:
    """The per-syscall counter that can run here, or None and why not.  The eBPF probe
    compiles in the background after its hello (the live view starts at once) and falls
    back to perf counters by itself when the compile fails."""
    if native_stacks_possible():
        return EBPF, ""
    if perf_tracepoints_allowed():
        return PERFCOUNT, "Syscall latency, errors and per-file bytes off: needs root and bcc"
    return None, ("Per-syscall counts off: needs root and bcc, or perf tracepoint counters "
                  "(see perftui doctor)")


def select_probes(pid: int, *, python: bool | None = None, pyspy: ProbeSpec | None = None,
                  native_stacks: bool | None = None, syscalls: bool = True,
                  command: str | None = None) -> Selection:
    """The probes for ``pid``.  ``python``: True/False overrides the detection (a user's
    ``--python``/``--no-python``); ``pyspy``: the pyspy probe with its options;
    ``native_stacks``: add the BPF native stack sampler (root, bcc); by default only when
    there is no pyspy probe and it can run (its bcc compile costs seconds of CPU, a price
    worth paying only when it is the one source of stacks; the hot-functions view starts it
    for a Python target when the user asks for native stacks); ``syscalls``: add the
    per-syscall probe that can run (``syscall_probe``); ``command``: the executable of a
    target perftui holds before its exec (the process is still perftui's wrapper)."""
    version = file_python_version(command) if command else python_version(pid)
    wanted = version is not None if python is None else python
    probes = [PROCFS]
    notes: list[str] = []
    if wanted:
        probes.append(pyspy or pyspy_spec())
    elif python is False:
        notes.append("Python stacks off (asked)")
    else:
        who = os.path.basename(command) if command else f"process {pid}"
        notes.append(f"Python stacks off: {who} does not look like CPython "
                     "(no python executable or libpython)")
    if native_stacks is None:
        native_stacks = not wanted and native_stacks_possible()
    if native_stacks:
        probes.append(STACKS)
    if syscalls:
        spec, why = syscall_probe()
        if spec is not None:
            probes.append(spec)
        if why:
            notes.append(why)
    return Selection(tuple(probes), version, tuple(notes))
