"""Re-create the session files under tests/golden/sessions/ from real targets.

Run as root (py-spy and the eBPF probes need it), from anywhere:

    python3 tests/golden/make_sessions.py            # all sessions
    python3 tests/golden/make_sessions.py io_a io_b  # some of them

The checked-in session files are what tests/golden/test_golden.py uses; this script is only
for regenerating them (their numbers change at every run, so then regenerate the expected
outputs too: ``python3 tests/golden/make_expected.py --update``).  It drives the real CLI,
``python3 -m perftui record``, against targets from tests/targets/:

- python_hot: hot_python.py (75% of its CPU in hot_a, 25% in hot_b), ~4 s,
  probes procfs,pyspy,ebpf.
- native_c: tests/targets/hot_c.c built with ``cc -O1 -fno-omit-frame-pointer`` in a temporary
  folder, probes procfs,stacks,ebpf.  Recorded 9 s, not 4: the stacks probe compiles its BPF
  program for about 4 s before its first sample, and a 4 s session would hold no stacks.
- io_a, io_b: io_target.py driven through its control page, writing then reading back its
  file every 0.1 s, ~6 s at 1 s intervals (so the eBPF probe, ready after 2-3 s, sees a few
  seconds), probes procfs,pyspy,ebpf.  io_b does 4 times io_a's bytes in 4 times its calls.
  Both use the same control page and data file, in a fixed folder (IO_DIR), so their command
  lines and file paths are the same and a diff of the two shows only the load.

Targets are started with paths relative to the repository (the cwd of every command), so the
recorded command lines and py-spy file names hold no absolute path of this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "golden" / "sessions"
MAX_BYTES = 300 * 1024

sys.path.insert(0, str(REPO / "tests" / "targets"))
from ctlpage import Page  # noqa: E402

# io loads: (bytes per op, calls per op); one write then one read every PERIOD_S.
IO_LOADS = {"io_a": (64 * 1024, 8), "io_b": (256 * 1024, 32)}
PERIOD_S = 0.1
IO_DIR = Path(tempfile.gettempdir()) / "perftui-golden-io"


def record(out: Path, probes: str, duration: float, *target: str) -> None:
    """``perftui record`` of ``target`` (``-p PID`` or ``-- CMD ...``) into ``out``."""
    cmd = [sys.executable, "-m", "perftui", "record", "-d", str(duration), "--probes", probes,
           "-o", str(out), *target]
    print("+", " ".join(cmd), flush=True)
    r = subprocess.run(cmd, cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=duration + 60)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    if r.returncode != 0:
        raise SystemExit(f"record failed with status {r.returncode}")


def python_hot(tmp: Path, out: Path) -> None:
    record(out, "procfs,pyspy,ebpf", 4, "--", "python3", "tests/targets/hot_python.py")


def native_c(tmp: Path, out: Path) -> None:
    exe = tmp / "hot_c"
    subprocess.run(["cc", "-O1", "-fno-omit-frame-pointer", "-o", str(exe),
                    str(REPO / "tests" / "targets" / "hot_c.c")], check=True)
    record(out, "procfs,stacks,ebpf", 9, "--", str(exe))


def io_session(name: str, tmp: Path, out: Path) -> None:
    size, calls = IO_LOADS[name]
    shutil.rmtree(IO_DIR, ignore_errors=True)
    IO_DIR.mkdir(mode=0o700)
    page = Page(str(IO_DIR / "io.ctl"), create=True)
    target = subprocess.Popen(["python3", "tests/targets/io_target.py", page.path,
                               str(IO_DIR / "io.data")], cwd=REPO, stdout=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True)
    stop = threading.Event()

    def drive() -> None:
        while not stop.is_set():
            page.send(1, size, calls)
            page.send(2, size, calls)
            time.sleep(PERIOD_S)

    try:
        assert target.stdout is not None
        if not target.stdout.readline().startswith("ready"):
            raise SystemExit("io_target.py did not start")
        driver = threading.Thread(target=drive, daemon=True)
        driver.start()
        record(out, "procfs,pyspy,ebpf", 6, "-p", str(target.pid))
        stop.set()
        driver.join(timeout=5)
    finally:
        stop.set()
        target.kill()
        target.wait()
        shutil.rmtree(IO_DIR, ignore_errors=True)


SESSIONS = {
    "python_hot": python_hot,
    "native_c": native_c,
    "io_a": lambda tmp, out: io_session("io_a", tmp, out),
    "io_b": lambda tmp, out: io_session("io_b", tmp, out),
}


def main() -> int:
    if os.geteuid() != 0:
        raise SystemExit("run as root: py-spy and the eBPF probes need it")
    names = sys.argv[1:] or list(SESSIONS)
    unknown = set(names) - set(SESSIONS)
    if unknown:
        raise SystemExit(f"unknown session(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(SESSIONS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perftui-golden-") as folder:
        tmp = Path(folder)
        for name in names:
            out = tmp / f"{name}.perftui"  # the recorder never overwrites: record, then copy
            SESSIONS[name](tmp, out)
            size = out.stat().st_size
            if size > MAX_BYTES:
                raise SystemExit(f"{name}: {size} bytes, over {MAX_BYTES}")
            dest = OUT / f"{name}.perftui"
            shutil.copyfile(out, dest)
            dest.chmod(0o644)  # recordings are 0600; the tests may run as another user
            print(f"{dest.relative_to(REPO)}: {size} bytes", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
