"""The probe's loop: back-to-back py-spy chunks, each sent as one ``chunk`` frame.

The next chunk starts the moment the previous one ends, before the previous one is parsed, so
the only gap is py-spy attaching (~20-60 ms a chunk).  That gap, and the tick py-spy drops at
the end of each run, would leave the stream ~5-10% short of the rate asked; the rate given to
py-spy is raised by the measured shortfall (at most 25%) so samples per second of wall time
match the rate asked.  Each frame says what was asked and what was got.

An ``option`` command ends the running chunk at once (SIGINT: py-spy writes what it has) and
starts the next with the new options, so a switch shows within a fraction of a second; an
``options`` frame, written as that chunk starts, carries its ``t0``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from typing import Any

from perftui.probes import targetinfo as target
from perftui.probes.control import Control
from perftui.probes.spawn import temp_prefix
from perftui.probes.stackintern import Interner
from perftui.probes.wire import FrameWriter

from .chunk import Chunk, Result
from .errors import DENIED, GONE, NOT_PYTHON, OTHER, UNSUPPORTED, classify
from .names import Dump, dump
from .options import Options, parse_option_command

EXIT_CANNOT = 2  # nothing a restart would change (the app does not restart on this code)
EXIT_RETRY = 1
MAX_BOOST = 1.25
MAX_FAILURES = 5
NAMES_SOON_S = 5.0  # a sampled thread without a name: dump again after at most this
NATIVE_WARNING = ("native frames: py-spy pauses the target at every sample to read native "
                  "stacks, which slows it down")


MIN_CHUNK_S = 2
# With --max-chunk, chunks after the first double up to it while nobody asks for fresh stacks
# (``fresh on``: the app's drill-down is open).  Each py-spy start costs 12-18 ms of CPU: at
# 2 s that is 0.6-0.9% of a core over one long py-spy run, at 8 s 0.15-0.25%.


def chunk_seconds(interval: float) -> int:
    """py-spy's ``--duration`` takes whole seconds.  At least 2: each py-spy start costs
    ~15 ms of CPU (it reads the interpreter's symbols again), so 1-second chunks would cost
    ~1.5% of a core more than one long py-spy run; 2-second ones cost about the same."""
    return max(MIN_CHUNK_S, round(interval))


class Sampler:
    def __init__(self, writer: FrameWriter, control: Control, pyspy: str, pid: int, *,
                 rate: int, seconds: int, options: Options, pyspy_version: str = "",
                 names: dict[int, str] | None = None, names_every: float = 30.0,
                 count: int = 0, max_seconds: int = 0) -> None:
        self._w = writer
        self._control = control
        self._pyspy = pyspy
        self._pid = pid
        self._rate = rate
        self._seconds = seconds
        self._options = options  # of the running chunk
        self._asked = options  # by the app's commands, from the next chunk on
        self._version = pyspy_version
        self._names: dict[int, str] = dict(names or {})  # as the reader knows them
        self._pids: dict[int, int] = {}
        self._names_every = names_every
        self._next_dump = time.monotonic() + names_every
        self._count = count
        self._interner = Interner()
        self._max_seconds = max_seconds  # 0: every chunk is ``seconds`` long
        self._fresh_for: set[str] = set()  # who asked for short chunks (``fresh on WHO``)
        self._last_seconds = 0  # of the last chunk started
        self._cut = False  # the running chunk was stopped early on purpose
        self._gap = 0.0  # wall seconds a chunk does not sample (py-spy's start, last tick)
        self._tuned = False
        self._started = 0
        self._failures = 0
        self._warned: set[str] = set()
        self._workdir = tempfile.mkdtemp(prefix=temp_prefix("pyspy"))

    def run(self) -> int:
        """Sample until stopped, the target is gone or py-spy cannot go on; the exit status."""
        chunk: Chunk | None = self._start()
        try:
            while chunk is not None:
                if not self._wait(chunk):
                    chunk.stop()
                    if chunk.wrote():  # SIGINT made py-spy write what it had
                        self._send(chunk.result(time.time()))
                    return 0
                t1 = time.time()
                gone = target.gone_reason(self._pid)
                ok = chunk.wrote()
                if not ok and chunk.stopped and self._cut and gone is None:
                    # Cut short (an option switch, ``fresh on``) before py-spy had anything
                    # to write.
                    chunk.result(t1)
                    chunk = self._start()
                    continue
                more = gone is None and ok and (self._count == 0 or self._started < self._count)
                nxt = self._start() if more else None  # first: the gap is only py-spy's start
                res, seconds = chunk.result(t1), chunk.seconds
                chunk = nxt
                if ok:
                    self._failures = 0
                    self._send(res)
                    if not res.stopped:
                        self._tune(res, seconds)
                elif gone is None:
                    status = self._failed(res)
                    if status is not None:
                        return status
                    chunk = self._start()
                if gone is not None or target.gone_reason(self._pid) is not None:
                    self._w.write("gone", reason=target.gone_reason(self._pid) or "exited")
                    return 0
                self._maybe_dump()
            return 0
        finally:
            if chunk is not None:
                chunk.stop()
                chunk.result(time.time())  # deletes its files
            shutil.rmtree(self._workdir, ignore_errors=True)

    def _next_seconds(self) -> int:
        """The first chunk is short (the first view comes soon); later ones double up to
        ``max_seconds`` unless fresh stacks are asked for."""
        if self._fresh_for or not self._last_seconds or self._max_seconds <= self._seconds:
            return self._seconds
        return max(self._seconds, min(self._max_seconds, 2 * self._last_seconds))

    def _start(self) -> Chunk:
        self._started += 1
        seconds = self._last_seconds = self._next_seconds()
        self._cut = False
        rate = max(1, round(self._rate * min(MAX_BOOST, 1 + self._gap / seconds)))
        switched = self._asked != self._options
        self._options = self._asked
        chunk = Chunk(self._pyspy, self._pid, seconds, rate, self._options.flags(),
                      self._workdir, self._started)
        if switched:
            # Written before the previous chunk's frame (sent once this one runs): ``t0``
            # says which chunks ran with these options.
            self._w.write("options", t0=chunk.t0, **self._options.frame_fields())
            if self._options.native:
                self._warn("native", NATIVE_WARNING)
        return chunk

    def _wait(self, chunk: Chunk) -> bool:
        """Until the chunk ends (True) or the probe is told to stop (False).  A py-spy that
        exits raises SIGCHLD, whose handler wakes ``control.wait`` at once."""
        while not chunk.done():
            if self._control.stopped:
                return False
            self._commands()
            if self._asked != self._options or (self._fresh_for and chunk.seconds > self._seconds):
                # py-spy writes what it has: the next chunk has the new options, or is short
                # (fresh stacks asked for: the view gets what this long chunk holds now)
                self._cut = True
                chunk.stop()
                break
            if chunk.overdue():
                self._warn("stacks", f"py-spy did not end a {chunk.seconds} s chunk in time; "
                           "stopped it (is the target frozen?)")
                chunk.stop()
                break
            self._control.wait(max(0.05, min(chunk.left(), 1.0)))
            self._w.beat()
        return not self._control.stopped

    def _commands(self) -> None:
        # Control knows only ``interval``: the probe's own commands come as the rest.
        for line in self._control.take_bad_commands():
            option = parse_option_command(line)
            words = line.split()
            if option is not None:
                self._asked = self._asked.switched(*option)
            elif len(words) in (2, 3) and words[0] == "fresh" and words[1] in ("on", "off"):
                # ``fresh on|off [WHO]``: short chunks while anyone asks (the drill-down is
                # open: "view", the default; a recording runs: "record")
                who = words[2] if len(words) == 3 else "view"
                if words[1] == "on":
                    self._fresh_for.add(who)
                else:
                    self._fresh_for.discard(who)
            else:
                self._w.write("warn", cap="command", msg=f"unknown command: {line!r}")
        interval = self._control.take_interval()
        if interval is not None:
            self._seconds = chunk_seconds(interval)  # from the next chunk on

    def _tune(self, res: Result, seconds: int) -> None:
        """Learn the wall time a chunk of ``seconds`` does not sample (py-spy's start, its
        last tick): the next chunk's rate is raised by that share of its own length, so
        samples per second of wall time stay at the rate asked whatever the chunk length."""
        gap = max(0.0, res.t1 - res.t0 - seconds)
        if not self._tuned:  # the first chunk is the best guess there is
            self._tuned, self._gap = True, gap
        self._gap = 0.7 * self._gap + 0.3 * gap

    def _send(self, res: Result) -> None:
        self._interner.begin()
        samples: list[list[int]] = []
        names: dict[int, str] = {}
        pids: dict[int, int] = {}
        for s in res.stacks:
            samples.append([self._interner.stack(s.frames), s.tid, s.count])
            if s.thread_name is not None and self._names.get(s.tid) != s.thread_name:
                names[s.tid] = self._names[s.tid] = s.thread_name
            if s.pid is not None and s.pid != self._pid and self._pids.get(s.tid) != s.pid:
                pids[s.tid] = self._pids[s.tid] = s.pid
            if s.tid not in self._names:
                self._next_dump = min(self._next_dump, time.monotonic() + NAMES_SOON_S)
        extra: dict[str, Any] = self._interner.take()
        if names:
            extra["threads"] = names
        if pids:
            extra["pids"] = pids
        if res.late:
            self._warn("late", f"py-spy fell behind its sampling clock: {self._rate} Hz is "
                       "too fast for this target, samples are late")
        self._w.write("chunk", ts=res.t1, t0=res.t0, t1=res.t1, rate=self._rate,
                      asked=round(self._rate * (res.t1 - res.t0)), got=res.ticks,
                      errors=res.errors, late=res.late, samples=samples, **extra)

    def _failed(self, res: Result) -> int | None:
        """A chunk that wrote nothing: an exit status to stop with, or None to go on."""
        failure = classify(res.log, self._version)
        if failure.kind in (DENIED, NOT_PYTHON, UNSUPPORTED):
            self._warn("stacks", failure.sentence)
            print(failure.sentence, file=sys.stderr)
            return EXIT_CANNOT
        if failure.kind == GONE:
            return None  # the caller sees the target gone
        self._failures += 1
        self._warn("stacks", failure.sentence)
        if self._failures >= MAX_FAILURES:
            print(f"{MAX_FAILURES} py-spy runs in a row failed: {failure.sentence}",
                  file=sys.stderr)
            return EXIT_RETRY
        self._control.wait(min(5.0, 0.25 * 2 ** self._failures))
        return None

    def _maybe_dump(self) -> None:
        if time.monotonic() < self._next_dump:
            return
        self._next_dump = time.monotonic() + self._names_every
        found = dump(self._pyspy, self._pid, self._version)
        if isinstance(found, Dump):
            if any(self._names.get(t) != n for t, n in found.names.items()):
                self._names.update(found.names)
                self._w.write("threads", threads=found.names)
        elif found.kind == OTHER:
            self._warn("thread_names", found.sentence)

    def _warn(self, cap: str, msg: str) -> None:
        if msg not in self._warned:  # once each: a failing py-spy every second is one problem
            self._warned.add(msg)
            self._w.write("warn", cap=cap, msg=msg)
