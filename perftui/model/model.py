"""The model: every frame of every stream goes in here; panes and reports read it out.

Pure Python, no UI.  Live and replayed sessions feed it the same frames, so both show the
same numbers.  Memory is bounded: series are ring buffers of ``history`` points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from perftui.frames import APP_STREAM, DATA_KINDS, FINISHED, SYSCALL_STREAMS, Frame, check_schema
from perftui.model.peers import port as local_port
from perftui.model.probes import ProbeStatus
from perftui.model.process import ProcessState
from perftui.model.series import Series, rate
from perftui.model.stacks import StackModel
from perftui.model.syscalls import SyscallModel
from perftui.model.tree import ProcessTable
from perftui.safetext import clean_tree

HELD_NOT_TARGET = frozenset({"mem", "fd", "net"})


@dataclass
class TargetExit:
    reason: str  # "exited", "zombie", "killed"
    code: int | None = None
    signal: int | None = None
    ts: float | None = None


@dataclass
class Model:
    history: int = 3600
    pid: int | None = None
    host: str = ""
    ncpu: int | None = None  # the host's CPUs: 100% per CPU is the most a process can use
    interval: float | None = None  # the app's sampling interval, once it changed it
    first_ts: float | None = None
    now: float | None = None  # timestamp of the newest frame: the model's clock
    frames: int = 0
    process: ProcessState = field(init=False)
    probes: dict[str, ProbeStatus] = field(default_factory=dict)
    exit: TargetExit | None = None
    # A command perftui started held: argv, path, held_s, exec_ts, msg (``launch`` frames).
    launch: dict[str, object] | None = None
    self_cpu: Series = field(init=False)
    pystacks: StackModel = field(default_factory=StackModel)  # the pyspy stream
    nativestacks: StackModel = field(default_factory=StackModel)  # the stacks stream
    sys: SyscallModel = field(init=False)  # the ebpf (or perfcount) stream
    tree: ProcessTable = field(default_factory=ProcessTable)  # the descendants (--children)
    _prev_self: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        self.process = ProcessState(self.history)
        self.self_cpu = Series(self.history)
        self.sys = SyscallModel(self.history)

    def probe(self, name: str) -> ProbeStatus:
        status = self.probes.get(name)
        if status is None:
            status = self.probes[name] = ProbeStatus(name)
        return status

    def apply(self, stream: str, frame: Frame) -> None:
        """Fold one decoded frame of ``stream`` into the model."""
        # Strings here reach terminals (panes, reports): cleaned once, on the way in.
        frame = clean_tree(frame)
        kind = frame.get("k")
        ts = frame.get("ts")
        if isinstance(ts, (int, float)):
            self.now = float(ts) if self.now is None else max(self.now, float(ts))
            if self.first_ts is None:
                self.first_ts = float(ts)
        self.frames += 1
        if stream == APP_STREAM:
            self._apply_app(frame)
            return
        status = self.probe(stream)
        status.see(frame)
        status.last_seen = self.now
        if kind in DATA_KINDS and isinstance(ts, (int, float)):
            status.covered(float(ts))
            t0 = frame.get("t0")  # a stack chunk covers t0..t1
            if kind == "chunk" and isinstance(t0, (int, float)):
                status.covered(float(t0))
        elif kind == "caps" and stream in SYSCALL_STREAMS and isinstance(ts, (int, float)) \
                and frame.get("source"):
            status.covered(float(ts))  # attached: its counts start here
        if stream == "pyspy":
            self.pystacks.apply(frame)
        elif stream == "stacks":
            self.nativestacks.apply(frame)
        elif stream in SYSCALL_STREAMS:
            self.sys.apply(stream, frame)
            if kind == "sys" and isinstance(frame.get("procs"), dict):
                self.tree.apply_ebpf(frame["procs"])
            if kind == "caps":  # the final word after hello's pending caps
                status.apply_caps(frame)
        if kind == "hello":
            check_schema(stream, frame)
            status.apply_hello(frame)
            self.pid = self.pid or frame.get("pid")
            self.tree.root = self.tree.root or self.pid
            self.host = self.host or str(frame.get("host", ""))
            if isinstance(frame.get("ncpu"), int):
                self.ncpu = frame["ncpu"]
        elif kind == "warn":
            status.apply_warn(frame)
        elif kind == "gone":
            status.state = FINISHED
            status.msg = "target gone"
            if self.exit is None:  # a started target's "exit" frame says it too
                code, sig = frame.get("code"), frame.get("signal")
                self.exit = TargetExit(str(frame.get("reason", "exited")),
                                       code if isinstance(code, int) else None,
                                       sig if isinstance(sig, int) else None, frame.get("ts"))
        elif stream == "procfs":
            if kind == "meta":
                launch = self.launch or {}
                if self.held():
                    # perftui's launch wrapper, holding the command: named by the command
                    frame = {**frame, "cmdline": launch["argv"], "exe": launch.get("path")}
                self.process.apply_meta(frame)
            elif kind == "sample":
                if self.held():
                    # The held wrapper's memory and descriptors are not the command's; its
                    # CPU and I/O counters are where the command's start from.
                    frame = {k: v for k, v in frame.items() if k not in HELD_NOT_TARGET}
                self.process.apply_sample(frame)
                if isinstance(ts, (int, float)):
                    self.tree.apply_procfs(float(ts), frame)
                # A server's clients are rolled up under the port it listens on.
                self.sys.learn_listening(
                    {port for c in self.process.conns.values() if c.state == "LISTEN"
                     and (port := local_port(c.local)) is not None})

    def held(self) -> bool:
        """perftui's launch wrapper holds the command: the PID is not running it yet."""
        return self.launch is not None and "exec_ts" not in self.launch

    def _apply_app(self, frame: Frame) -> None:
        kind = frame.get("k")
        if kind == "probe":
            status = self.probe(str(frame.get("name")))
            status.state = str(frame.get("state", status.state))
            status.msg = str(frame.get("msg", ""))
        elif kind == "self":
            cpu = frame.get("cpu") or [0.0, 0.0]
            total = float(cpu[0]) + float(cpu[1])
            total += sum(float(u) + float(s) for u, s in (frame.get("probes") or {}).values())
            ts = float(frame["ts"])
            if self._prev_self is not None:
                r = rate(self._prev_self[1], total, ts - self._prev_self[0])
                if r is not None:
                    self.self_cpu.append(ts, r * 100)
            self._prev_self = (ts, total)
        elif kind == "interval" and isinstance(frame.get("interval"), (int, float)):
            self.interval = float(frame["interval"])
        elif kind == "exit":
            self.exit = TargetExit("exited", frame.get("code"), frame.get("signal"),
                                   frame.get("ts"))
        elif kind == "launch":  # once held (argv, path), once released (the rest)
            self.launch = {**(self.launch or {}),
                           **{k: frame[k] for k in ("argv", "path", "held_s", "exec_ts", "msg")
                              if k in frame}}
            exec_ts = frame.get("exec_ts")
            last = self.process.last_ts
            if isinstance(exec_ts, (int, float)) and last is not None and exec_ts > last:
                # The held wrapper was blocked: its counters at the last sample are still
                # true at the exec, so the first rates span the command's time, not the hold.
                self.process.last_ts = float(exec_ts)
