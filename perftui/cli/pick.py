"""Which process to watch and which probes to run on it: the same for every verb."""

from __future__ import annotations

import argparse
import sys

from perftui.host.target import (
    Target,
    TargetError,
    check_pid,
    describe,
    find_by_name,
    format_candidates,
    spawn,
    spawn_demo,
)
from perftui.sources.probeproc import ProbeSpec


def resolve_target(args: argparse.Namespace, command: list[str]) -> Target:
    if command:
        return spawn(command)
    if args.pid is not None:
        check_pid(args.pid)
        return Target(args.pid, describe(args.pid))
    if args.name is not None:
        matches = find_by_name(args.name)
        if not matches:
            raise TargetError(f"no process matches {args.name!r}")
        if len(matches) == 1:
            return Target(matches[0].pid, describe(matches[0].pid))
        if sys.stdin.isatty() and sys.stdout.isatty():
            from perftui.ui.chooser import choose_process

            pid = choose_process(matches)
            if pid is None:
                raise TargetError("no process chosen")
            check_pid(pid)
            return Target(pid, describe(pid))
        raise TargetError(f"{len(matches)} processes match {args.name!r}; pick one with -p:\n"
                          + format_candidates(matches))
    return spawn_demo()


def probes_for(target: Target, only: tuple[str, ...] | None = None,
               recording: bool = False, children: bool | None = None) -> list[ProbeSpec]:
    """The probes for a target: the same for the live view and ``perftui record``.
    ``only`` names them (procfs always runs: every pane starts from it); ``recording``: py-spy
    in short chunks, so windows of the file get their own samples; ``children``: follow the
    target's descendants (None: when perftui started the command)."""
    from perftui.host import probeselect as ps

    follow = target.child is not None if children is None else children
    pyspy = ps.pyspy_spec(max_chunk=ps.PYSPY_RECORD_CHUNK_S if recording
                          else ps.PYSPY_MAX_CHUNK_S, subprocesses=follow)
    if only is None:
        command = target.child.path if target.child is not None else None
        specs = list(ps.select_probes(target.pid, command=command, pyspy=pyspy).probes)
    else:
        by_name = {"pyspy": pyspy, "stacks": ps.STACKS, "ebpf": ps.EBPF,
                   "perfcount": ps.PERFCOUNT}
        specs = [ps.PROCFS, *(by_name[n] for n in dict.fromkeys(only) if n != "procfs")]
    return [ps.following_children(s) for s in specs] if follow else specs


