"""py-spy's sampling options: the flags given to ``py-spy record``, the ``option NAME on|off``
command that changes them while the probe runs, and the fields of the ``options`` frame that
says which are in force."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

# The options the app may switch while the probe runs (``--lines`` is fixed at start: it
# changes every frame's label, so one window would mix two kinds of labels).
SWITCHABLE = ("idle", "gil", "native", "subprocesses")


@dataclass(frozen=True)
class Options:
    idle: bool = False  # idle threads too
    gil: bool = False  # only the thread holding the GIL
    native: bool = False  # native frames too: py-spy then pauses the target at every sample
    subprocesses: bool = False
    lines: bool = False  # the line being run, not the function's first line

    def flags(self) -> list[str]:
        """What ``py-spy record`` is given after its pid, duration, rate and output."""
        flags = ["--format", "raw", "--threads"]
        if not self.native:
            flags.append("--nonblocking")  # py-spy reads native stacks only from a paused target
        if not self.lines:
            flags.append("--function")
        for name in SWITCHABLE:
            if getattr(self, name):
                flags.append(f"--{name}")
        return flags

    def switched(self, name: str, on: bool) -> Options:
        return replace(self, **{name: on})

    def frame_fields(self) -> dict[str, Any]:
        """The ``options`` frame's fields: each switchable option, and the py-spy flags."""
        fields: dict[str, Any] = {name: getattr(self, name) for name in SWITCHABLE}
        fields["options"] = self.flags()
        return fields


def parse_option_command(line: str) -> tuple[str, bool] | None:
    """``option idle on`` -> ("idle", True); anything else -> None."""
    parts = line.split()
    if (len(parts) == 3 and parts[0] == "option" and parts[1] in SWITCHABLE
            and parts[2] in ("on", "off")):
        return parts[1], parts[2] == "on"
    return None
