"""LiveSource: runs the probes for a live target, supervises them and merges their frames.

One reader thread multiplexes every probe's stdout and stderr.  A probe that dies is
reported (a ``probe`` frame on the app's own stream) and restarted with backoff while the
target lives; the UI never dies with it.  The app's stream also carries perftui's own CPU
and the exit status of a target perftui started, so recordings hold them too.  The app may
send a probe a command (a restarted probe gets again the ones that set its state) and start
one more probe while the view runs.

From the target's first instant to its last: a command perftui starts is held before its
exec until every probe watches it (``launch`` frame), and when the target ends every probe
is read until its end of file, so its last frames arrive (``finished`` is set then).  A
started target is reaped only then: until it is, the zombie keeps its /proc entries.  ``stop``
drains the same way: the probes are told to stop and read until they have said all.
"""

from __future__ import annotations

import contextlib
import os
import queue
import selectors
import threading
import time
from typing import Any

import msgpack
import psutil

from perftui.frames import APP_STREAM, FAILED, FINISHED, RESTARTING, STARTING, FrameSink
from perftui.sources.launch import HeldChild
from perftui.sources.probeproc import EXIT_NO_TARGET, ProbeProcess, ProbeSpec

PROCFS = ProbeSpec("procfs", "perftui.probes.procfs")
HOLD_MAX_S = 30.0  # a held command runs after this long even if a probe is not ready
DRAIN_S = 5.0  # after the target's end (or stop), how long the probes may take to finish

# What the UI asks of the reader thread: a new interval, (probe name, command line), a probe.
Command = float | tuple[str, str] | ProbeSpec


class LiveSource:
    def __init__(self, pid: int, interval: float = 1.0, probes: list[ProbeSpec] | None = None,
                 child: HeldChild | None = None, label: str = "") -> None:
        self.pid = pid
        self._interval = interval
        self._specs = probes if probes is not None else [PROCFS]
        self._child = child  # the target, when perftui started it
        self._label = label or f"pid {pid}"
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._names_lock = threading.Lock()
        self._names = {spec.name for spec in self._specs}  # probes run, or asked for
        self._probes: list[ProbeProcess] = []  # the reader thread's
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self._seq = 0
        self._packer = msgpack.Packer(use_bin_type=True)
        self._sink: FrameSink | None = None
        self._exit_sent = False
        self._self_ps = psutil.Process()
        self._deferred: list[ProbeSpec] = []  # after_exec probes of a held command
        self._hold_until = 0.0
        self._gone_at: float | None = None  # monotonic time the target's end was seen
        self._pidfd = -1
        self._ended = False  # the target's pidfd turned readable: it exited
        self.finished = threading.Event()  # the target ended and every probe said its last

    @property
    def description(self) -> str:
        return self._label

    @property
    def interval(self) -> float:
        return self._interval

    @property
    def live(self) -> bool:
        return True

    def start(self, sink: FrameSink) -> None:
        self._sink = sink
        self._thread = threading.Thread(target=self._run, name="live-source", daemon=True)
        self._thread.start()

    def set_interval(self, seconds: float) -> None:
        self._interval = seconds
        self._commands.put(seconds)
        self._wake()

    def command(self, probe: str, line: str) -> str | None:
        with self._names_lock:
            if probe not in self._names:
                return f"no {probe} probe runs for this target"
        if self._stop.is_set():
            return "the live view is stopping"
        self._commands.put((probe, line))
        self._wake()
        return None

    def add_probe(self, spec: ProbeSpec) -> str | None:
        with self._names_lock:
            if spec.name in self._names:
                return f"the {spec.name} probe runs already"
            if self._stop.is_set():
                return "the live view is stopping"
            self._names.add(spec.name)
            if self._thread is None:  # not started: it starts with the others
                self._specs = [*self._specs, spec]
                return None
        self._commands.put(spec)
        self._wake()
        return None

    def stop(self) -> None:
        """Stop the probes, after reading what they still send (at most DRAIN_S)."""
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=DRAIN_S + 5)
        if self._child is not None:
            self._child.end()  # never released: not run; running: ended; then reaped

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def _emit(self, kind: str, **fields: Any) -> None:
        frame = {"k": kind, "ts": time.time(), "seq": self._seq, **fields}
        self._seq += 1
        if self._sink is not None:
            self._sink(APP_STREAM, self._packer.pack(frame), frame)

    def _target_alive(self) -> bool:
        if self._child is not None:
            return self._child.exited() is None  # without reaping it
        try:
            return psutil.Process(self.pid).status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    # -- the reader thread ---------------------------------------------------------------

    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._watch_target(sel)
        with self._names_lock:
            specs = list(self._specs)
        held = self._child is not None and not self._child.released
        self._deferred = [s for s in specs if held and s.after_exec]
        probes = self._probes = [ProbeProcess(spec, self.pid, self._interval)
                                 for spec in specs if spec not in self._deferred]
        self._hold_until = time.monotonic() + HOLD_MAX_S
        if held and self._child is not None:  # the held PID is the command's: say which
            self._emit("launch", argv=self._child.argv, path=self._child.path)
        for probe in probes:
            self._launch(sel, probe)
        next_tick = time.monotonic()
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if now >= next_tick:
                    self._tick(probes)
                    next_tick = now + self._interval
                pending = [p.next_start for p in probes if p.proc is None and p.next_start]
                timeout = min([next_tick, *pending]) - now
                if self._child is not None and not self._child.released:
                    timeout = min(timeout, self._hold_until - now)
                if self._gone_at is not None and not self.finished.is_set():
                    timeout = min(timeout, self._gone_at + DRAIN_S - now)
                for key, _ in sel.select(timeout=max(0.0, timeout)):
                    if key.data is None:
                        os.read(self._wake_r, 4096)
                    elif key.data == "target":
                        sel.unregister(self._pidfd)
                        self._ended = True
                        self._check_child()
                    else:
                        self._read(sel, key.fileobj, key.data)
                self._apply_commands(sel, probes)
                self._release_when_ready(sel, probes)
                self._restart_due(sel, probes)
                self._drain_after_exit(probes)
        finally:
            self._drain_on_stop(sel, probes)
            sel.close()
            if self._pidfd >= 0:
                os.close(self._pidfd)

    def _watch_target(self, sel: selectors.BaseSelector) -> None:
        """The target's end wakes the reader at once (a pidfd turns readable)."""
        try:
            self._pidfd = os.pidfd_open(self.pid)
        except OSError:
            self._gone_at = time.monotonic()  # no such process any more
            return
        sel.register(self._pidfd, selectors.EVENT_READ, "target")

    def _release_when_ready(self, sel: selectors.BaseSelector,
                            probes: list[ProbeProcess]) -> None:
        """Release a held command once every probe watches it (or died, or HOLD_MAX_S)."""
        child = self._child
        if child is None or child.released:
            return
        waiting = [p.spec.name for p in probes if p.proc is not None and not p.ready]
        if waiting and time.monotonic() < self._hold_until:
            return
        why = child.release()
        held_s = (child.released_ts or child.held_ts) - child.held_ts
        msg = (f"started after {HOLD_MAX_S:g} s without waiting longer for "
               f"{', '.join(waiting)}" if waiting else "")
        self._emit("launch", held_s=round(held_s, 4), exec_ts=child.exec_ts,
                   waited_for=waiting, msg=why or msg)
        for spec in self._deferred:
            probe = ProbeProcess(spec, self.pid, self._interval)
            probes.append(probe)
            self._launch(sel, probe)
        self._deferred = []

    def _drain_after_exit(self, probes: list[ProbeProcess]) -> None:
        """After the target's end: once every probe reached its end of file (or DRAIN_S),
        reap a started target and say ``finished``."""
        if self._gone_at is None:
            if not self._ended:  # the pidfd says it: nothing to read per frame here
                return
            self._gone_at = time.monotonic()
            self._check_child()
        if self.finished.is_set():
            return
        late = time.monotonic() >= self._gone_at + DRAIN_S
        if late or all(p.proc is None for p in probes):
            # A zombie keeps its /proc entries: every probe's last reading came first.
            if self._child is not None:
                self._child.reap()
            self.finished.set()

    def _drain_on_stop(self, sel: selectors.BaseSelector, probes: list[ProbeProcess]) -> None:
        """Told to stop: each probe gets end of file on stdin, sends its last frames (the
        interval under way, py-spy's cut-short chunk) and exits; read them all."""
        for probe in probes:
            probe.close_input()
        deadline = time.monotonic() + DRAIN_S
        while any(p.proc is not None for p in probes):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for key, _ in sel.select(timeout=left):
                if key.data is None:
                    os.read(self._wake_r, 4096)
                elif key.data == "target":
                    sel.unregister(self._pidfd)
                else:
                    self._read(sel, key.fileobj, key.data)
        for probe in probes:
            probe.stop(timeout=0.5)

    def _launch(self, sel: selectors.BaseSelector, probe: ProbeProcess) -> None:
        self._emit("probe", name=probe.spec.name, state=STARTING, msg="")
        probe.interval = self._interval
        try:
            probe.start()
        except OSError as exc:
            self._emit("probe", name=probe.spec.name, state=FAILED, msg=f"cannot start: {exc}")
            probe.next_start = 0.0
            return
        assert probe.proc is not None and probe.proc.stdout and probe.proc.stderr
        sel.register(probe.proc.stdout, selectors.EVENT_READ, (probe, "out"))
        sel.register(probe.proc.stderr, selectors.EVENT_READ, (probe, "err"))
        probe.next_start = 0.0
        probe.resend()  # a restarted probe: the options the app had set

    def _read(self, sel: selectors.BaseSelector, fileobj: Any,
              data: tuple[ProbeProcess, str]) -> None:
        probe, which = data
        if fileobj.closed:
            # Its stdout's EOF came first in the same select batch: _on_exit drained and
            # closed stderr already.
            return
        chunk = os.read(fileobj.fileno(), 65536)
        if not chunk:
            sel.unregister(fileobj)
            if which == "out":
                self._on_exit(sel, probe)
            return
        if which == "err":
            for line in chunk.decode("utf-8", "replace").splitlines():
                probe.stderr_tail.append(line.strip())
            return
        for raw, frame in probe.decoder.feed(chunk):
            kind = frame.get("k")
            if kind == "gone":
                probe.saw_gone = True
            if kind in probe.spec.ready_on:
                probe.ready = True
            if self._sink is not None:
                self._sink(probe.spec.name, raw, frame)

    def _on_exit(self, sel: selectors.BaseSelector, probe: ProbeProcess) -> None:
        assert probe.proc is not None
        # Drain what stderr still holds: it says why the probe died.
        if probe.proc.stderr is not None:
            with contextlib.suppress(KeyError, ValueError):
                sel.unregister(probe.proc.stderr)
            for line in probe.proc.stderr.read().decode("utf-8", "replace").splitlines():
                probe.stderr_tail.append(line.strip())
        code = probe.reap()
        probe.proc = None
        name = probe.spec.name
        if probe.saw_gone or not self._target_alive():
            self._emit("probe", name=name, state=FINISHED, msg="target gone")
            probe.next_start = 0.0
            self._check_child()
        elif code == EXIT_NO_TARGET:
            self._emit("probe", name=name, state=FAILED, msg=probe.why_it_died(code))
            probe.next_start = 0.0
        elif not self._stop.is_set():
            probe.restarts += 1
            wait = probe.next_start - time.monotonic()
            self._emit("probe", name=name, state=RESTARTING,
                       msg=f"{probe.why_it_died(code)}; restarting in {wait:.1f}s")

    def _restart_due(self, sel: selectors.BaseSelector, probes: list[ProbeProcess]) -> None:
        now = time.monotonic()
        for probe in probes:
            if probe.proc is None and probe.next_start and now >= probe.next_start:
                if self._target_alive():
                    self._launch(sel, probe)
                else:
                    probe.next_start = 0.0
                    self._emit("probe", name=probe.spec.name, state=FINISHED,
                               msg="target gone")

    def _apply_commands(self, sel: selectors.BaseSelector, probes: list[ProbeProcess]) -> None:
        while True:
            try:
                cmd = self._commands.get_nowait()
            except queue.Empty:
                return
            if isinstance(cmd, ProbeSpec):
                if cmd.after_exec and self._child is not None and not self._child.released:
                    self._deferred.append(cmd)
                    continue
                probe = ProbeProcess(cmd, self.pid, self._interval)
                probes.append(probe)
                self._launch(sel, probe)
            elif isinstance(cmd, tuple):
                for probe in probes:
                    if probe.spec.name == cmd[0]:
                        probe.remember(cmd[1])
                        probe.send(cmd[1])
            else:
                for probe in probes:
                    probe.interval = cmd
                    probe.send(f"interval {cmd:g}")
                self._emit("interval", interval=cmd)  # the staleness deadlines follow it

    def _tick(self, probes: list[ProbeProcess]) -> None:
        try:
            t = self._self_ps.cpu_times()
            own = [t.user, t.system]
        except psutil.Error:
            own = [0.0, 0.0]
        self._emit("self", cpu=own,
                   probes={p.spec.name: list(p.cpu_times()) for p in probes})
        self._check_child()

    def _check_child(self) -> None:
        if self._child is None or self._exit_sent:
            return
        status = self._child.exited()  # not reaped: procfs still samples the zombie
        if status is not None:
            self._exit_sent = True
            self._emit("exit", code=status.code, signal=status.signal)


