"""How long one procfs sample takes to collect, for a target of 100 threads and 200 open fds.

    python bench/collect_cost.py [--samples N] [--threads T] [--fds F]

Times Collector.collect() in this process (what the probe does each interval, less msgpack),
with and without the socket scan, interleaved so both see the same machine load; then the
probe's own CPU time per sample, end to end, from a run of the real probe.  Figures: median and
95th percentile in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perftui.probes.procfs.collector import Collector  # noqa: E402
from tests.targets.ctlpage import Page  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(label: str, secs: list[float]) -> str:
    ms = [s * 1e3 for s in secs]
    return (f"{label:<34} median {statistics.median(ms):6.2f} ms   p95 {pct(ms, 0.95):6.2f} ms"
            f"   (n={len(ms)})")


def probe_cpu_per_sample(pid: int, samples: int) -> float:
    """CPU seconds per sample of the real probe: a long run minus a one-sample run (startup)."""
    def cpu(count: int) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "perftui.probes.procfs", "--pid", str(pid),
                        "--interval", "0.01", "--count", str(count)], cwd=REPO,
                       stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    startup = statistics.median(cpu(1) for _ in range(3))
    return (cpu(samples + 1) - startup) / samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--threads", type=int, default=100)
    ap.add_argument("--fds", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page = Page(os.path.join(tmp, "ctl"), create=True)
        target = subprocess.Popen(
            [sys.executable, str(REPO / "tests/targets/load_target.py"), page.path,
             str(args.threads), str(args.fds)], stdout=subprocess.PIPE, text=True)
        try:
            assert target.stdout is not None and target.stdout.readline().strip() == "ready"
            with_sockets = Collector(target.pid, sockets=True)
            without = Collector(target.pid, sockets=False)
            first = with_sockets.collect().fields
            print(f"target: {len(first['threads'])} threads, {first['fd']['count']} fds, "
                  f"{len(first['net']['tcp'])} TCP sockets; {os.cpu_count()} CPUs")
            times: dict[str, list[float]] = {"with": [], "without": [], "refresh": [],
                                             "plain": []}
            for _ in range(args.samples):
                for name, coll in (("with", with_sockets), ("without", without)):
                    t = time.perf_counter()
                    fields = coll.collect().fields
                    elapsed = time.perf_counter() - t
                    times[name].append(elapsed)
                    if name == "with":
                        times["refresh" if "files" in fields["fd"] else "plain"].append(elapsed)
                time.sleep(0.002)
            print(line("collect, with socket scan", times["with"]))
            print(line("collect, without socket scan", times["without"]))
            print(line("  with sockets, file-list frames", times["refresh"]))
            print(line("  with sockets, other frames", times["plain"]))
            with_sockets.close()
            without.close()
            per = probe_cpu_per_sample(target.pid, 200)
            print(f"{'probe process CPU per sample':<34} {per * 1e3:6.2f} ms   "
                  "(end to end, with msgpack; startup excluded)")
        finally:
            page.post_exit(0)
            target.wait(10)


if __name__ == "__main__":
    main()
