"""UI latency seen from outside: launch-to-first-data and keypress-to-redraw, through tmux.

Only the command line (``python3 -m perftui ...``) and tmux are used, never ``import perftui``,
so the same script measures the app before and after an internal refactor.

Each round:
  live    a fresh tmux session (120x40, private server) runs
          ``perftui -p PID --probes procfs -d 1`` on tests/targets/named_workers.py;
          first data   = launch until the busy-worker thread row (its TID) is on screen,
          first rates  = launch until that row carries a CPU % (needs the 2nd sample, ~1 s).
          Then, settled, one key at a time: the time from sending it to the first screen
          showing its effect (?: the help box; escape: help gone; tab / shift+tab: the focused
          pane's heavy title moves to another pane and back; z: one pane title left (zoom),
          z: all back; p: PAUSED in the header, p: gone).
  replay  a fresh session runs ``perftui replay FILE --paused`` on a short recording made
          once with ``perftui record -p PID -d 3 --probes procfs``;
          screen up    = launch until the timeline (``hh:mm:ss / hh:mm:ss``) is drawn,
          paused data  = launch until the thread row is on screen; a paused replay that shows
                         no frame before a step (the current app) is reported as n/a, and then
          first step   = ``right`` until the thread row is on screen,
          right / left = the key until the timeline's position (time and bar) changes.

A latency is the time from just before ``tmux send-keys`` to the return of the first
``tmux capture-pane -p`` that matches (a launch is the Enter that starts perftui from a shell
already waiting in the fresh session: tmux's own start-up is left out); screens are polled
back to back, so the resolution is one capture-pane call (printed).  A measurement that does
not match within --timeout counts as a timeout and ends its round (the screen's state is then
unknown); the last screen is printed.  Keys are spaced by a random 0.3-1.3 s so
they land at every phase of the 1 s refresh.

Usage:
  python3 bench/ui_latency.py [--rounds 7] [--warmup 1] [--json out.json] [--compare old.json]
  python3 bench/ui_latency.py --compare old.json --against new.json   # no run, just ratios
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET = REPO / "tests" / "targets" / "named_workers.py"
WIDTH, HEIGHT = 120, 40

# Measurements in report order: (key, label).
MEASURES = [
    ("live_first_data", "live: launch -> thread row"),
    ("live_first_rates", "live: launch -> thread CPU %"),
    ("key_help_open", "live: ? -> help shown"),
    ("key_help_close", "live: escape -> help gone"),
    ("key_tab", "live: tab -> focus next pane"),
    ("key_shift_tab", "live: shift+tab -> focus back"),
    ("key_zoom", "live: z -> zoomed"),
    ("key_unzoom", "live: z -> unzoomed"),
    ("key_pause", "live: p -> PAUSED"),
    ("key_resume", "live: p -> resumed"),
    ("replay_screen", "replay: launch -> timeline"),
    ("replay_paused_data", "replay: launch -> thread row"),
    ("replay_first_step", "replay: right -> first frame"),
    ("replay_right", "replay: right -> position +1"),
    ("replay_left", "replay: left -> position -1"),
]


class Stop(Exception):
    """SIGTERM / SIGHUP: unwind like Ctrl-C so everything started is cleaned up."""


class AppExited(Exception):
    pass


# -- screen markers ------------------------------------------------------------------------

TITLE_RE = re.compile(r"(?:^|\s)[━─]([A-Z][\w/&]*)", re.M)  # a pane title on its border
TIMELINE_RE = re.compile(r"(\d\d:\d\d:\d\d) / \d\d:\d\d:\d\d")


def row_re(tid: int) -> re.Pattern[str]:
    return re.compile(rf"^\s*{tid}\s+busy-worker\b.*$", re.M)


def has_row(tid: int) -> Callable[[str], bool]:
    r = row_re(tid)
    return lambda s: r.search(s) is not None


def has_rate(tid: int) -> Callable[[str], bool]:
    r = row_re(tid)

    def pred(s: str) -> bool:
        m = r.search(s)
        return m is not None and re.search(r"\d%", m.group(0)) is not None
    return pred


def titles(s: str) -> list[str]:
    return TITLE_RE.findall(s)


def focused(s: str) -> str | None:
    """The first word of the pane title drawn with the heavy (focus) border."""
    m = re.search(r"━([A-Z][\w/&]*)", s)
    return m.group(1) if m else None


def help_shown(s: str) -> bool:
    return re.search(r"^.*[╭┌╔].*\bhelp\b", s, re.M | re.I) is not None


def paused(s: str) -> bool:
    return "PAUSED" in "\n".join(s.splitlines()[:3])


def timeline_pos(s: str) -> tuple[str, int] | None:
    for line in s.splitlines():
        m = TIMELINE_RE.search(line)
        if m:
            return m.group(1), line.find("●")
    return None


# -- tmux ------------------------------------------------------------------------------------

class Bench:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.servers: list[str] = []
        self.capture_s: list[float] = []
        self.send_s: list[float] = []
        self.notes: list[str] = []

    def tmux(self, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", name, *args], capture_output=True, text=True,
                              check=check)

    def start(self, argv: list[str], cwd: str) -> str:
        """A fresh session on a private server; the command waits for a newline so the
        launch can be timed without the server's own start-up (see ``launch``)."""
        name = f"uilat-{os.getpid()}-{len(self.servers)}"
        self.servers.append(name)
        cmd = f"read _; {shlex.join(argv)}; echo EXITED=$?; sleep 600"
        self.tmux(name, "new-session", "-d", "-s", "s", "-c", cwd, "-x", str(WIDTH),
                  "-y", str(HEIGHT), cmd)
        return name

    def kill(self, name: str) -> None:
        self.tmux(name, "kill-server", check=False)

    def capture(self, name: str) -> str:
        t = time.perf_counter()
        out = self.tmux(name, "capture-pane", "-p", "-t", "s").stdout
        self.capture_s.append(time.perf_counter() - t)
        return out

    def send(self, name: str, key: str) -> float:
        """Send one key; the monotonic time just before it."""
        t0 = time.perf_counter()
        self.tmux(name, "send-keys", "-t", "s", key)
        self.send_s.append(time.perf_counter() - t0)
        return t0

    def wait(self, name: str, pred: Callable[[str], bool], t0: float,
             timeout: float | None = None) -> tuple[float | None, str]:
        """Seconds from t0 until a screen satisfies pred (None on timeout), and that screen."""
        limit = self.timeout if timeout is None else timeout
        while True:
            s = self.capture(name)
            now = time.perf_counter()
            if pred(s):
                return now - t0, s
            if "EXITED=" in s:
                raise AppExited(s)
            if now - t0 > limit:
                return None, s


def start_target() -> subprocess.Popen[str]:
    p = subprocess.Popen([sys.executable, str(TARGET)], stdout=subprocess.PIPE, text=True,
                         stdin=subprocess.DEVNULL)
    assert p.stdout is not None
    ready, _, _ = select.select([p.stdout], [], [], 20)
    if not ready or p.stdout.readline().strip() != "ready":
        p.kill()
        raise SystemExit("target did not print 'ready' within 20 s")
    return p


def busy_tid(pid: int) -> int:
    for task in Path(f"/proc/{pid}/task").iterdir():
        if (task / "comm").read_text().strip() == "busy-worker":
            return int(task.name)
    raise SystemExit(f"no busy-worker thread in pid {pid}")


def settle() -> None:
    time.sleep(random.uniform(0.3, 1.3))


# -- one round -------------------------------------------------------------------------------

Results = dict[str, list[float | None]]


def record(res: Results, key: str, value: float | None) -> None:
    res.setdefault(key, []).append(value)


LIVE = [k for k, _ in MEASURES if not k.startswith("replay")]
REPLAY = [k for k, _ in MEASURES if k.startswith("replay")]


def abandon(b: Bench, res: Results, key: str, screen: str, keys: list[str]) -> None:
    """A measurement timed out: the screen is in an unknown state, so the round's later
    measurements (in ``keys``) count as timeouts too."""
    b.notes.append(f"{key} timed out after {b.timeout:g} s; last screen:\n{screen}")
    for rest in keys[keys.index(key) + 1:]:
        if rest not in ("replay_paused_data", "replay_first_step"):
            record(res, rest, None)


def live_round(b: Bench, py: str, pid: int, tid: int, cwd: str, res: Results) -> None:
    t = b.start([py, "-m", "perftui", "-p", str(pid), "--probes", "procfs", "-d", "1"], cwd)
    try:
        t0 = b.send(t, "Enter")
        for key, pred in (("live_first_data", has_row(tid)), ("live_first_rates", has_rate(tid))):
            dt, s = b.wait(t, pred, t0)
            record(res, key, dt)
            if dt is None:
                return abandon(b, res, key, s, LIVE)
        time.sleep(2)  # settled: past start-up
        s = b.capture(t)
        base_focus = focused(s)
        n_titles = len(titles(s))
        # (measurement, key, predicate); each step leaves the screen as it found it
        steps: list[tuple[str, str, Callable[[str], bool]]] = [
            ("key_help_open", "?", help_shown),
            ("key_help_close", "Escape", lambda s: not help_shown(s) and has_row(tid)(s)),
            ("key_tab", "Tab", lambda s: focused(s) not in (None, base_focus)),
            ("key_shift_tab", "BTab", lambda s: focused(s) == base_focus),
            ("key_zoom", "z", lambda s: len(titles(s)) == 1),
            ("key_unzoom", "z", lambda s: len(titles(s)) == n_titles),
            ("key_pause", "p", paused),
            ("key_resume", "p", lambda s: not paused(s)),
        ]
        for key, k, pred in steps:
            settle()
            dt, s = b.wait(t, pred, b.send(t, k))
            record(res, key, dt)
            if dt is None:  # the screen is in an unknown state: the rest of the round is lost
                return abandon(b, res, key, s, LIVE)
    finally:
        b.kill(t)


def replay_round(b: Bench, py: str, path: str, tid: int, cwd: str, res: Results,
                 grace: float) -> None:
    t = b.start([py, "-m", "perftui", "replay", path, "--paused"], cwd)
    try:
        t0 = b.send(t, "Enter")
        dt, s = b.wait(t, lambda s: timeline_pos(s) is not None, t0)
        record(res, "replay_screen", dt)
        if dt is None:
            return abandon(b, res, "replay_screen", s, REPLAY)
        if has_row(tid)(s):
            record(res, "replay_paused_data", dt)
        else:
            dt, s = b.wait(t, has_row(tid), t0, timeout=dt + grace)
            record(res, "replay_paused_data", dt)  # None: no frame shown until a step
            if dt is None:
                msg = (f"paused replay showed no frame within {grace:g} s of its screen: "
                       "'replay: launch -> thread row' is n/a, 'first step' measured instead")
                if msg not in b.notes:
                    b.notes.append(msg)
                settle()
                dt, s = b.wait(t, has_row(tid), b.send(t, "Right"))
                record(res, "replay_first_step", dt)
                if dt is None:
                    return abandon(b, res, "replay_first_step", s, REPLAY)
        for key, k in (("replay_right", "Right"), ("replay_left", "Left")):
            settle()
            before = timeline_pos(b.capture(t))

            def moved(s: str, before: tuple[str, int] | None = before) -> bool:
                return timeline_pos(s) not in (None, before) and has_row(tid)(s)
            dt, s = b.wait(t, moved, b.send(t, k))
            record(res, key, dt)
            if dt is None:
                return abandon(b, res, key, s, REPLAY)
    finally:
        b.kill(t)


# -- report ----------------------------------------------------------------------------------

def ms(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 1000:.0f}" if x >= 0.1 else f"{x * 1000:.1f}"


def summarize(res: Results) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key, _ in MEASURES:
        vals = [v for v in res.get(key, []) if v is not None]
        out[key] = statistics.median(vals) if vals else None
    return out


def print_table(res: Results) -> None:
    print(f"{'measurement':<32} {'n':>3} {'median':>8} {'min':>8} {'max':>8}  "
          f"{'missing':>7}  (ms)")
    for key, label in MEASURES:
        all_vals = res.get(key, [])
        if not all_vals:
            continue
        vals = [v for v in all_vals if v is not None]
        missing = len(all_vals) - len(vals)
        miss = f"{missing} n/a" if key == "replay_paused_data" else f"{missing} tmo"
        if not vals:
            print(f"{label:<32} {0:>3} {'n/a' if key == 'replay_paused_data' else 'timeout':>8}"
                  f" {'':>8} {'':>8}  {miss:>7}")
            continue
        print(f"{label:<32} {len(vals):>3} {ms(statistics.median(vals)):>8} {ms(min(vals)):>8} "
              f"{ms(max(vals)):>8}  {miss if missing else '':>7}")


def print_compare(old_path: str, new: dict[str, float | None], new_label: str) -> None:
    old = json.loads(Path(old_path).read_text())
    om: dict[str, float | None] = old["medians_ms"]
    print(f"\ncompare: {new_label} / {old_path} (ratio of medians; > 1 is slower)")
    print(f"{'measurement':<32} {'old ms':>8} {'new ms':>8} {'new/old':>8}")
    for key, label in MEASURES:
        a, b = om.get(key), new.get(key)
        if a is None and b is None:
            continue
        ratio = f"{b / a:.2f}" if a and b is not None else "-"
        print(f"{label:<32} {'-' if a is None else f'{a:.1f}':>8} "
              f"{'-' if b is None else f'{b:.1f}':>8} {ratio:>8}")
    if "loadavg" in old:
        print(f"old run's load average: {old['loadavg']}")


def code_id() -> str:
    """The code under test: HEAD (with the count of uncommitted changes in perftui/ and
    probes/) and a hash of those two trees' files as they are on disk, so a run whose code
    changed half-way (someone else committing or editing) can be told apart."""
    h = hashlib.sha1()
    for d in ("perftui", "probes", "themes"):
        for f in sorted((REPO / d).rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(REPO)).encode() + b"\0")
                try:
                    h.update(f.read_bytes())
                except OSError:
                    pass
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "perftui",
                                "probes", "themes"], capture_output=True, text=True,
                               timeout=5).stdout
        rev += f" + {len(dirty.splitlines())} changed files" if dirty.strip() else ""
    except (OSError, subprocess.SubprocessError):
        rev = "?"
    return f"{rev}, code {h.hexdigest()[:10]}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7, help="repeats of each measurement (7)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="rounds run first and not counted (1)")
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="seconds per measurement before it counts as a timeout (20)")
    ap.add_argument("--paused-grace", type=float, default=1.5,
                    help="seconds a paused replay gets to show a frame by itself (1.5)")
    ap.add_argument("--record-seconds", type=float, default=3.0,
                    help="length of the recording replayed (3)")
    ap.add_argument("--python", default=sys.executable, help="interpreter running perftui")
    ap.add_argument("--no-live", action="store_true", help="skip the live measurements")
    ap.add_argument("--no-replay", action="store_true", help="skip the replay measurements")
    ap.add_argument("--json", metavar="FILE", help="write the medians (ms) and samples here")
    ap.add_argument("--compare", metavar="OLD.json", help="print new/old ratios of medians")
    ap.add_argument("--against", metavar="NEW.json",
                    help="with --compare: compare this saved run instead of running")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each sample")
    args = ap.parse_args()

    if args.against:
        if not args.compare:
            ap.error("--against needs --compare")
        new = json.loads(Path(args.against).read_text())["medians_ms"]
        print_compare(args.compare, new, args.against)
        return 0
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is not installed")

    def on_signal(signum: int, _frame: object) -> None:
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored

    load0 = os.getloadavg()
    rev0 = code_id()
    b = Bench(args.timeout)
    res: Results = {}
    target: subprocess.Popen[str] | None = None
    work = tempfile.mkdtemp(prefix="ui_latency-")
    t_start = time.monotonic()
    interrupted = False
    try:
        target = start_target()
        tid = busy_tid(target.pid)
        rec = os.path.join(work, "session.perftui")
        if not args.no_replay:
            subprocess.run([args.python, "-m", "perftui", "record", "-p", str(target.pid),
                            "-d", f"{args.record_seconds:g}", "-o", rec, "--probes", "procfs"],
                           cwd=work, capture_output=True, text=True, check=True,
                           timeout=args.record_seconds + 30, stdin=subprocess.DEVNULL)
        for r in range(-args.warmup, args.rounds):
            into: Results = res if r >= 0 else {}  # warm-up rounds: .pyc files, page cache
            label = f"round {r + 1}/{args.rounds}" if r >= 0 else "warm-up round"
            try:
                if not args.no_live:
                    live_round(b, args.python, target.pid, tid, work, into)
                if not args.no_replay:
                    replay_round(b, args.python, rec, tid, work, into, args.paused_grace)
            except AppExited as e:
                b.notes.append(f"{label}: perftui exited; last screen:\n{e}")
            if args.verbose:
                print(f"{label}: " + ", ".join(
                    f"{k}={ms(v[-1]) if v else '-'}" for k, v in into.items()), flush=True)
            else:
                print(f"{label} done", file=sys.stderr, flush=True)
    except (KeyboardInterrupt, Stop):
        interrupted = True
        print("\ninterrupted: results so far", file=sys.stderr)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # cleanup runs to its end
            signal.signal(sig, signal.SIG_IGN)
        for name in b.servers:
            b.kill(name)
        if target is not None:
            target.kill()
            target.wait()
        shutil.rmtree(work, ignore_errors=True)

    load1 = os.getloadavg()
    rev = code_id()
    if rev.split("code ")[1] != rev0.split("code ")[1]:
        rev = f"{rev0} at the start, {rev} at the end (the code changed during the run!)"
    print(f"\nperftui {rev}  rounds {args.rounds}  terminal {WIDTH}x{HEIGHT}  "
          f"{time.monotonic() - t_start:.0f} s")
    print_table(res)
    if b.capture_s:
        cs = sorted(b.capture_s)
        print(f"polling resolution: one capture-pane call takes median "
              f"{ms(statistics.median(cs))} ms, p90 {ms(cs[int(len(cs) * 0.9)])} ms "
              f"({len(cs)} calls); send-keys median {ms(statistics.median(b.send_s))} ms")
    print("load average (1, 5, 15 min): start " + " ".join(f"{x:.2f}" for x in load0)
          + "  end " + " ".join(f"{x:.2f}" for x in load1) + f"  ({os.cpu_count()} cpus)")
    for note in b.notes:
        print(f"note: {note}")
    medians = summarize(res)
    medians_ms = {k: None if v is None else round(v * 1000, 2) for k, v in medians.items()}
    if args.json and not interrupted:
        Path(args.json).write_text(json.dumps({
            "perftui": rev, "rounds": args.rounds, "time": time.strftime("%FT%T%z"),
            "loadavg": [round(x, 2) for x in (*load0, *load1)],
            "capture_ms_median": round(statistics.median(b.capture_s) * 1000, 2)
            if b.capture_s else None,
            "medians_ms": medians_ms,
            "samples_ms": {k: [None if v is None else round(v * 1000, 2) for v in vals]
                           for k, vals in res.items()},
        }, indent=1) + "\n")
        print(f"wrote {args.json}")
    if args.compare:
        print_compare(args.compare, medians_ms, "this run")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
