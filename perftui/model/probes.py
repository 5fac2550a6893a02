"""What the app knows about each probe: live or not, what it can collect, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

from perftui.frames import LIVE, STARTING, Frame

STALE_MIN_S = 3.0
STALE_FACTOR = 2.5


@dataclass
class ProbeStatus:
    name: str
    state: str = STARTING
    msg: str = ""
    version: str = ""
    interval: float | None = None
    caps: dict[str, Frame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    next_seq: int | None = None  # None until the stream's first numbered frame
    lost_frames: int = 0
    last_seen: float | None = None  # the model's clock at this stream's newest frame
    first_data: float | None = None  # timestamps of its first and last data frames
    last_data: float | None = None

    def missing(self) -> dict[str, str]:
        """Capabilities this probe reported it cannot collect, with the reason (not those it
        has yet to decide: ``pending`` while it starts)."""
        return {name: str(c.get("why", "")) for name, c in self.caps.items()
                if not c.get("ok") and not c.get("pending")}

    def pending(self) -> str:
        """Why some capability is not decided yet (the probe is starting); "" if none."""
        return next((str(c.get("why") or "starting") for c in self.caps.values()
                     if c.get("pending")), "")

    def see(self, frame: Frame) -> None:
        """Count frames lost between this one and the previous one of the same stream."""
        seq = frame.get("seq")
        if isinstance(seq, int):
            # A restarted probe numbers from 0 again; the first frame seen starts the count
            # wherever it is (a recording started from the live view begins mid-stream).
            if self.next_seq is not None and seq > self.next_seq:
                self.lost_frames += seq - self.next_seq
            self.next_seq = seq + 1

    def covered(self, ts: float) -> None:
        """A data frame (sample, counts, stacks) at ``ts``: the span this probe covered."""
        if self.first_data is None or ts < self.first_data:
            self.first_data = ts
        if self.last_data is None or ts > self.last_data:
            self.last_data = ts

    def apply_hello(self, frame: Frame) -> None:
        self.version = str(frame.get("version", ""))
        self.interval = frame.get("interval")
        self.caps = dict(frame.get("caps") or {})
        # A probe still deciding its caps (the ebpf probe compiles after hello) is starting,
        # not degraded; its ``caps`` frame makes it live.
        self.state, self.msg = (STARTING, self.pending()) if self.pending() else (LIVE, "")

    def apply_caps(self, frame: Frame) -> None:
        """A ``caps`` frame: the capabilities now decided."""
        self.caps = dict(frame.get("caps") or {})
        if self.state == STARTING and not self.pending():
            self.state, self.msg = LIVE, ""

    def silence(self, now: float | None, interval: float | None) -> float | None:
        """Seconds without a frame when that is past this probe's deadline, else None.

        The deadline is max(STALE_MIN_S, STALE_FACTOR x the longer of the probe's interval
        and the app's): a frame late by more than one interval and a half is not jitter.
        Only a probe that should be talking (live or starting) can be stale."""
        if now is None or self.last_seen is None or self.state not in (LIVE, STARTING):
            return None
        every = max(self.interval or 0.0, interval or 0.0)
        quiet = now - self.last_seen
        return quiet if quiet > max(STALE_MIN_S, STALE_FACTOR * every) else None

    def apply_warn(self, frame: Frame) -> None:
        msg = str(frame.get("msg", ""))
        if msg and msg not in self.warnings:
            self.warnings.append(msg)
            del self.warnings[:-20]  # the newest few are what a user can act on
