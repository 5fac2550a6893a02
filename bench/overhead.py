"""perftui's own CPU (app + probes) next to htop's, watching the same idle 100-thread target.

Both run at the same time, each in its own tmux session at 1 s refresh, for --seconds.
CPU is read from /proc for each tool and all its descendants and reported per 5 s window:
the median of the windows, and the ratio perftui / htop.  Also measured: how long from
launch until perftui shows the target's threads on screen (median of --launches).

Usage: python bench/overhead.py [--seconds 30] [--launches 5]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
WINDOW_S = 5.0


def tmux_cmd(session: str) -> list[str]:
    """A private tmux server per session (named after it): nothing else on the machine can
    kill our sessions, nor we theirs, and ending one cannot race the start of the next."""
    return ["tmux", "-L", session]


def tmux(argv: list[str], width: int = 120, height: int = 40) -> str:
    name = f"bench-{uuid.uuid4().hex[:6]}"
    subprocess.run([*tmux_cmd(name), "new-session", "-d", "-s", name, "-x", str(width), "-y",
                    str(height), *argv], check=True)
    return name


def pane_pid(session: str) -> int:
    out = subprocess.run([*tmux_cmd(session), "list-panes", "-t", session, "-F", "#{pane_pid}"],
                         capture_output=True, text=True, check=True).stdout
    return int(out.split()[0])


def tree_cpu(pid: int, only: str = "") -> float:
    """User+system seconds of a process and its live descendants (``only``: whose command
    line contains this)."""
    total = 0.0
    try:
        root = psutil.Process(pid)
        for p in [root, *root.children(recursive=True)]:
            try:
                if only and only not in " ".join(p.cmdline()):
                    continue
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def capture(session: str) -> str:
    return subprocess.run([*tmux_cmd(session), "capture-pane", "-p", "-t", session],
                          capture_output=True, text=True).stdout


def kill(session: str) -> None:
    subprocess.run([*tmux_cmd(session), "kill-server"], capture_output=True)


def time_to_first_frame(pid: int, probes: str) -> float:
    start = time.monotonic()
    s = tmux([sys.executable, "-m", "perftui", "-p", str(pid), "--probes", probes])
    try:
        while time.monotonic() - start < 30:
            if re.search(r"\bw\d+\b", capture(s)):  # thread rows are on screen
                return time.monotonic() - start
            time.sleep(0.02)
        return float("nan")
    finally:
        kill(s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--launches", type=int, default=5)
    ap.add_argument("--probes", default="procfs",
                    help="perftui's --probes (default procfs: what htop also reads)")
    args = ap.parse_args()
    target = subprocess.Popen([sys.executable, str(HERE / "many_threads_target.py")],
                              stdout=subprocess.PIPE, text=True)
    assert target.stdout is not None
    target.stdout.readline()
    sessions: dict[str, str] = {}
    try:
        sessions["perftui"] = tmux([sys.executable, "-m", "perftui", "-p", str(target.pid),
                                    "-d", "1", "--probes", args.probes])
        if shutil.which("htop"):
            sessions["htop"] = tmux(["htop", "-p", str(target.pid), "-d", "10"])
        time.sleep(3)  # past start-up: measure the steady state
        pids = {name: pane_pid(s) for name, s in sessions.items()}
        # perftui in all, and the share of its probe process alone
        parts = {name: (pid, "") for name, pid in pids.items()}
        parts["  procfs probe"] = (pids["perftui"], "perftui.probes.procfs")
        windows: dict[str, list[float]] = {name: [] for name in parts}
        last = {name: tree_cpu(*part) for name, part in parts.items()}
        t_last = time.monotonic()
        end = t_last + args.seconds
        while time.monotonic() < end:
            time.sleep(WINDOW_S)
            now = time.monotonic()
            for name, part in parts.items():
                cur = tree_cpu(*part)
                windows[name].append((cur - last[name]) / (now - t_last) * 100)
                last[name] = cur
            t_last = now
        print(f"target: 100 threads, 200 open files, idle; refresh 1 s; probes {args.probes}; "
              f"{args.seconds:.0f} s in {WINDOW_S:.0f} s windows")
        print(f"{'tool':<14} {'median CPU % of a core':>24} {'max':>8}")
        med = {name: statistics.median(w) for name, w in windows.items()}
        for name, w in windows.items():
            print(f"{name:<14} {med[name]:>24.2f} {max(w):>8.2f}")
        if "htop" in med and med["htop"] > 0:
            print(f"ratio perftui / htop: {med['perftui'] / med['htop']:.2f}")
    finally:
        for s in sessions.values():
            kill(s)
    firsts = [time_to_first_frame(target.pid, args.probes) for _ in range(args.launches)]
    print(f"launch to threads on screen: median {statistics.median(firsts):.2f} s "
          f"(of {len(firsts)}: {', '.join(f'{x:.2f}' for x in firsts)})")
    target.kill()


if __name__ == "__main__":
    main()
