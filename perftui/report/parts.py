"""The built-in summary parts: cpu, memory, io, net and threads from the procfs model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perftui.model.model import Model
from perftui.model.peers import peer_of, port
from perftui.model.stacks import Window
from perftui.report.accum import Slope, Weighted
from perftui.views.stacks import samples_of, top_functions

MIN_PEAK_DT = 0.1  # seconds: 10 clock ticks, a tick is then at most 10 % of the rate

IO_KEYS = (("read_bytes", "rchar"), ("write_bytes", "wchar"), ("read_calls", "syscr"),
           ("write_calls", "syscw"))


@dataclass
class CpuPart:
    cpu: Weighted = field(default_factory=Weighted)

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        # CPU times come in 10 ms clock ticks: over the few ms between a held command's exec
        # and the next sample, one tick reads as 100 %+.  Such an interval counts in the
        # mean (weighted by its length) but cannot be the maximum.
        if in_window:
            self.cpu.add(model.process.rates.get("cpu"), dt, peak=dt >= MIN_PEAK_DT)

    def result(self, model: Model) -> dict[str, Any]:
        return {"cpu": {"avg_percent": self.cpu.mean, "max_percent": self.cpu.peak}}


@dataclass
class MemoryPart:
    start: int | None = None
    end: int | None = None
    peak: int | None = None
    growth: Slope = field(default_factory=Slope)

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        rss = model.process.mem.get("rss")
        if not in_window or not isinstance(rss, int):
            return
        if self.start is None:
            self.start = rss
        self.end = rss
        self.peak = rss if self.peak is None else max(self.peak, rss)
        if model.process.last_ts is not None:
            self.growth.add(model.process.last_ts, float(rss))

    def result(self, model: Model) -> dict[str, Any]:
        return {"memory": {"rss_start_bytes": self.start, "rss_end_bytes": self.end,
                           "rss_max_bytes": self.peak,
                           "rss_growth_bytes_per_s": self.growth.value}}


@dataclass
class IoPart:
    """Logical I/O (rchar/wchar/syscr/syscw) over the window: counter deltas from the last
    reading before the window (or its first reading) to its last."""

    base: dict[str, Any] | None = None
    last: dict[str, Any] | None = None
    total: dict[str, int] = field(default_factory=dict)

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        io = model.process.io
        if io is None:
            return
        if not in_window:
            self.base = io
            return
        prev = self.last if self.last is not None else (self.base or io)
        for _, key in IO_KEYS:
            a, b = prev.get(key), io.get(key)
            if isinstance(a, int) and isinstance(b, int) and b >= a:
                self.total[key] = self.total.get(key, 0) + b - a
        self.last = io

    def result(self, model: Model) -> dict[str, Any]:
        seen = self.last is not None
        return {"io": {name: self.total.get(key, 0) if seen else None
                       for name, key in IO_KEYS}}


@dataclass
class NetPart:
    """TCP bytes per connection over the window, from the model's since-attach counters.

    The totals come from the eBPF probe when it counts sockets: it counts every byte up to
    the target's last, in connections that lived between two samples too.  Without it they
    are the sum over the connections procfs saw (sock_diag), which misses those."""

    SYSCALL_STREAMS_ONLY = True  # its base is taken from the syscall probe's frames only
    base: dict[tuple[str, str, int], tuple[int, int]] = field(default_factory=dict)
    conns: dict[tuple[str, str, int], dict[str, Any]] = field(default_factory=dict)
    seen: bool = False
    base_tcp: tuple[int, int] = (0, 0)  # the eBPF probe's TCP totals before the window
    base_peers: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    ebpf_inside: bool = False
    # The eBPF probe's own count of a connection sock_diag saw, (local, remote) -> sent,
    # received, state: sock_diag saw a short one once, mid-request, open and at 0 bytes.
    base_ebpf: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    ebpf_conns: dict[tuple[str, str], tuple[int, int, str]] = field(default_factory=dict)
    open_now: set[tuple[str, str, int]] = field(default_factory=set)  # at the last sample

    def window_opens(self, model: Model) -> None:
        self.base_tcp = (model.sys.tcp_sent, model.sys.tcp_recv)
        self.base_peers = _peer_counts(model)
        self.base_ebpf = {(c.local, c.remote): (c.sent, c.recv)
                          for c in model.sys.conns.values() if c.kind == "tcp"}

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        if _ebpf_counts_net(model):
            if in_window:
                self.ebpf_inside = True
                self._follow(model)
            else:
                self.window_opens(model)
        proc = model.process
        if not proc.net_seen:
            return
        self.seen = self.seen or in_window
        if in_window:
            self.open_now = set(proc.conns)
        for key, c in proc.conns.items():
            now = (c.sent_since_attach, c.recv_since_attach)
            if not in_window:
                self.base[key] = now
                continue
            sent0, recv0 = self.base.setdefault(key, now)
            self.conns[key] = {"local": c.local, "remote": c.remote, "state": c.state,
                               "sent_bytes": now[0] - sent0, "recv_bytes": now[1] - recv0}

    def _follow(self, model: Model) -> None:
        """The eBPF probe's figures of the connections sock_diag saw (a closed one lingers in
        the model for seconds, so every sample after its last bytes sees it)."""
        wanted = {(r["local"], r["remote"]) for r in self.conns.values()}
        retired = model.sys.retired_conns
        for key in wanted & retired.keys():
            sent0, recv0 = self.base_ebpf.get(key, (0, 0))
            self.ebpf_conns[key] = (retired[key][0] - sent0, retired[key][1] - recv0, "CLOSE")
        for c in model.sys.conns.values():
            key = (c.local, c.remote)
            if c.kind == "tcp" and key in wanted:
                sent0, recv0 = self.base_ebpf.get(key, (0, 0))
                self.ebpf_conns[key] = (c.sent - sent0, c.recv - recv0,
                                        "CLOSE" if c.closed else c.state)

    def _rows(self, model: Model) -> list[dict[str, Any]]:
        if self.ebpf_inside:
            self._follow(model)  # to the probe's last frame
        rows = []
        for key, row in self.conns.items():
            counted = self.ebpf_conns.get((row["local"], row["remote"]))
            if counted is not None:  # the probe counted every byte
                row = {**row, "sent_bytes": counted[0], "recv_bytes": counted[1],
                       "state": counted[2] or row["state"]}
            elif key not in self.open_now:  # gone by the window's last sample
                row = {**row, "state": "CLOSE"}
            rows.append(row)
        return sorted(rows, key=lambda r: (-(r["sent_bytes"] + r["recv_bytes"]), r["local"]))

    def result(self, model: Model) -> dict[str, Any]:
        rows = self._rows(model)
        if self.ebpf_inside:  # to the model's end: the probe's last frame, after the exit
            peers = []
            for name, p in model.sys.peers.items():
                conns0, sent0, recv0 = self.base_peers.get(name, (0, 0, 0))
                if (p.connections, p.sent, p.recv) != (conns0, sent0, recv0):
                    peers.append({"peer": name, "role": p.role,
                                  "connections": p.connections - conns0,
                                  "sent_bytes": p.sent - sent0, "recv_bytes": p.recv - recv0})
            return {"net": {"sent_bytes": model.sys.tcp_sent - self.base_tcp[0],
                            "recv_bytes": model.sys.tcp_recv - self.base_tcp[1],
                            "counted_by": "ebpf", "connections": rows,
                            "peers": _busiest(peers)}}
        if not self.seen:
            return {"net": {"sent_bytes": None, "recv_bytes": None, "connections": [],
                            "peers": []}}
        return {"net": {"sent_bytes": sum(r["sent_bytes"] for r in rows),
                        "recv_bytes": sum(r["recv_bytes"] for r in rows),
                        "counted_by": "sock_diag", "connections": rows,
                        "peers": _busiest(_peers_of_rows(rows, model.sys.listening))}}


def _peer_counts(model: Model) -> dict[str, tuple[int, int, int]]:
    return {n: (p.connections, p.sent, p.recv) for n, p in model.sys.peers.items()}


def _peers_of_rows(rows: list[dict[str, Any]], listening: set[int]) -> list[dict[str, Any]]:
    """Peers of the connections sock_diag saw (it sees no short-lived ones)."""
    ports = listening | {n for r in rows if r["state"] == "LISTEN"
                         and (n := port(r["local"])) is not None}
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["state"] == "LISTEN":
            continue
        name, role = peer_of("tcp", r["local"], r["remote"], ports)
        p = out.setdefault(name, {"peer": name, "role": role, "connections": 0,
                                  "sent_bytes": 0, "recv_bytes": 0})
        p["connections"] += 1
        p["sent_bytes"] += r["sent_bytes"]
        p["recv_bytes"] += r["recv_bytes"]
    return list(out.values())


def _busiest(peers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(peers, key=lambda p: (-(p["sent_bytes"] + p["recv_bytes"]), p["peer"]))


def _ebpf_counts_net(model: Model) -> bool:
    return bool((model.sys.caps.get("net") or {}).get("ok"))


@dataclass
class ThreadsPart:
    cpu: dict[int, Weighted] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        if not in_window or model.process.final:  # the last word has no thread rates
            return
        for tid, t in model.process.threads.items():
            self.names[tid] = t.name
            self.cpu.setdefault(tid, Weighted()).add(t.cpu_percent, dt)

    def result(self, model: Model) -> dict[str, Any]:
        order = sorted(self.cpu.items(), key=lambda kv: (-(kv[1].mean or 0.0), kv[0]))
        rows = [{"tid": tid, "name": self.names[tid], "cpu_percent_avg": w.mean}
                for tid, w in order]
        return {"threads": rows}


@dataclass
class FunctionsPart:
    """Top functions over the window, from the stack model (perftui.views.stacks): Python's
    when py-spy sampled the window, else the native sampler's (``functions_from`` says
    which); absent when neither did."""

    lo: float | None = None
    hi: float | None = None
    limit: int = 50
    open_end: bool = False  # no window end: every chunk up to the last counts

    def observe(self, model: Model, dt: float, in_window: bool) -> None:
        ts = model.process.last_ts
        if not in_window:
            self.lo = ts
        elif self.hi is None or (ts is not None and ts > self.hi):
            self.hi = ts

    def result(self, model: Model) -> dict[str, Any]:
        window = Window(t0=self.lo, t1=None if self.open_end else self.hi)
        found = samples_of(model, window)
        if found is None:
            return {}
        source, stacks = found
        rows = top_functions(stacks, window, limit=self.limit)
        return {"functions_from": source, "functions": [
            {"name": f"{r.function} ({r.location})" if r.location else r.function,
             "self_samples": r.self_samples, "self_percent": r.self_pct,
             "total_samples": r.total_samples, "total_percent": r.total_pct} for r in rows]}
