"""Session speed figures: seek in a 24 h recording (goal <= 200 ms), report of 1 h (<= 1 s),
diff of two 1 h sessions (<= 2 s), and the CPU cost of recording (<= 0.5% of a core).

The recordings are generated (tests/framegen: a busy 5-thread worker sampled every second,
the heavy case for the model) and cached in the temp directory between runs.

Usage: python bench/session_speed.py [--seeks 40] [--live-seconds 20]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import msgpack
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perftui.model import Model  # noqa: E402
from perftui.report.compare import compare  # noqa: E402
from perftui.report.load import summarize  # noqa: E402
from perftui.session import SessionRecorder, new_header  # noqa: E402
from perftui.session.writer import write_frames  # noqa: E402
from perftui.sources.replay import MAX, ReplaySource  # noqa: E402
from perftui.views.snapshot import build_snapshot  # noqa: E402
from tests.support.framegen import GenConfig, iter_frames  # noqa: E402

CACHE = Path(tempfile.gettempdir())


def generated(name: str, samples: int, **cfg: object) -> Path:
    path = CACHE / f"perftui-bench-{name}-{samples}.perftui"
    if not path.exists():
        t = time.perf_counter()
        part = path.with_suffix(".part")
        part.unlink(missing_ok=True)
        write_frames(str(part), new_header(4242),
                     iter_frames(GenConfig(samples=samples, **cfg)))  # type: ignore[arg-type]
        part.rename(path)
        print(f"  (wrote {path.name}: {path.stat().st_size / 1e6:.1f} MB in "
              f"{time.perf_counter() - t:.1f} s)")
    return path


class App:
    def __init__(self) -> None:
        self.model = Model()
        self.lock = threading.Lock()

    def sink(self, stream: str, raw: bytes, frame: dict[str, object]) -> None:
        with self.lock:
            self.model.apply(stream, frame)

    def reset(self, model: Model) -> None:
        with self.lock:
            self.model = model


def seek(seeks: int) -> None:
    path = generated("day", 86_400)
    rss0 = psutil.Process().memory_info().rss
    t = time.perf_counter()
    src = ReplaySource(str(path), playing=False, speed=MAX)
    opened = time.perf_counter() - t
    app = App()
    src.on_reset = app.reset
    rng = random.Random(1)

    def one() -> float:
        t = time.perf_counter()
        src.seek_offset(rng.uniform(0, 86_400))
        src.wait_idle(60)
        with app.lock:
            build_snapshot(app.model)  # what the app does next: the view at the new place
        return time.perf_counter() - t

    src.start(app.sink)
    cold = one()  # before the checkpoints are built
    t = time.perf_counter()
    while src._cps.built_to < src.position.frames:
        time.sleep(0.05)
    build = time.perf_counter() - t
    times = sorted(one() for _ in range(seeks))
    rss = psutil.Process().memory_info().rss - rss0
    src.stop()
    print(f"seek in 24 h ({path.stat().st_size / 1e6:.1f} MB): open {opened * 1000:.0f} ms, "
          f"checkpoints built in {build:.1f} s ({len(src._cps)} of them, "
          f"{src._cps.size / 1e6:.1f} MB pickled), replay memory +{rss / 1e6:.0f} MB")
    print(f"  seek + snapshot: median {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms "
          f"(first seek, checkpoints not built yet: {cold * 1000:.0f} ms)  goal <= 200 ms")


def report_and_diff() -> None:
    a = generated("hour", 3_600)
    b = generated("hour-b", 3_600, cpu_user=75.0, rss_growth_per_s=4096)
    t = time.perf_counter()
    summarize(str(a))
    one = time.perf_counter() - t
    t = time.perf_counter()
    d = compare(summarize(str(a))[0], summarize(str(b))[0])
    two = time.perf_counter() - t
    print(f"report of 1 h: {one:.2f} s (goal <= 1 s); diff of two 1 h: {two:.2f} s "
          f"(goal <= 2 s; flagged {', '.join(d['regressions'])})")


def recorder_cost() -> None:
    """The recorder alone: an hour of frames written as they would arrive, one chunk a
    second; CPU per second of recording."""
    frames = [(s, msgpack.packb(f, use_bin_type=True), f)
              for s, f in iter_frames(GenConfig(samples=3_600))]
    with tempfile.TemporaryDirectory() as d:
        rec = SessionRecorder(os.path.join(d, "r.perftui"), new_header(1))
        t = time.process_time()
        for s, raw, f in frames:
            rec.write(s, raw, f)
            if f["k"] == "self":
                rec.flush()
        rec.close()
        cpu = time.process_time() - t
    print(f"recorder CPU: {cpu / 3600 * 100:.4f}% of a core "
          f"({cpu * 1000 / 3600:.2f} ms per recorded second)  goal <= 0.5%")


def record_process(seconds: float) -> None:
    """``perftui record`` on a real target: its own CPU (probes apart), whole process."""
    target = subprocess.Popen([sys.executable, str(REPO / "tests/targets/named_workers.py")],
                              stdout=subprocess.PIPE, text=True)
    with tempfile.TemporaryDirectory() as d:
        try:
            assert target.stdout is not None and target.stdout.readline().strip() == "ready"
            rec = subprocess.Popen(
                [sys.executable, "-m", "perftui", "record", "-p", str(target.pid), "-i", "1",
                 "-o", os.path.join(d, "r.perftui")], cwd=REPO, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
            ps = psutil.Process(rec.pid)
            time.sleep(3)  # past start-up (imports, probe launch)
            c0 = ps.cpu_times()
            time.sleep(seconds)
            c1 = ps.cpu_times()
            rec.send_signal(signal.SIGTERM)
            rec.wait(20)
        finally:
            target.kill()
            target.wait()
    used = (c1.user + c1.system) - (c0.user + c0.system)
    print(f"perftui record process (probes apart), {seconds:.0f} s at 1 s: "
          f"{used / seconds * 100:.2f}% of a core (LiveSource, psutil self-sampling and "
          "the recorder together)")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seeks", type=int, default=40)
    p.add_argument("--live-seconds", type=float, default=20.0)
    args = p.parse_args()
    seek(args.seeks)
    report_and_diff()
    recorder_cost()
    record_process(args.live_seconds)


if __name__ == "__main__":
    main()
