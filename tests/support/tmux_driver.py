"""Drive a real terminal program in a detached tmux session: type keys, read the screen."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable


class Tmux:
    def __init__(self, argv: list[str], width: int = 120, height: int = 40,
                 env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed (scripts/install-deps.sh installs it)")
        self.name = f"perftui-test-{uuid.uuid4().hex[:8]}"
        # A private server per session: another test's or user's kill-server cannot end it.
        self.tmux = ["tmux", "-L", self.name]
        # COLUMNS/LINES as well: the size a program reads first (shutil.get_terminal_size),
        # 80x24 when the pty's size could not be read yet, which a missed resize kept.
        sized = {"COLUMNS": str(width), "LINES": str(height), **(env or {})}
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in sized.items())
        # Keep the pane after the program exits so its last screen and status can be read.
        # The program starts only once its terminal has the asked size: under load a program
        # that started at 80x24 and missed the resize drew for 80 columns all along.
        wait = (f'for i in $(seq 200); do [ "$(stty size)" = "{height} {width}" ] && break; '
                f"sleep 0.05; done; ")
        cmd = f"{wait}env {exports} {shlex.join(argv)}; echo EXITED=$?; sleep 30"
        where = ["-c", cwd] if cwd else []
        subprocess.run([*self.tmux, "new-session", "-d", "-s", self.name, *where, "-x",
                        str(width), "-y", str(height), cmd], check=True)
        # A detached session has been seen at 80 columns under load whatever -x said (the
        # program then drew for 80): set the size once more, explicitly.
        subprocess.run([*self.tmux, "resize-window", "-t", self.name, "-x", str(width),
                        "-y", str(height)], capture_output=True)

    def screen(self) -> str:
        return subprocess.run([*self.tmux, "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True, check=True).stdout

    def screen_with_escapes(self) -> str:
        """The screen with its colours and attributes as escape sequences (``-e``)."""
        return subprocess.run([*self.tmux, "capture-pane", "-p", "-e", "-t", self.name],
                              capture_output=True, text=True, check=True).stdout

    def display(self, fmt: str) -> str:
        """A tmux format (``#{pane_pid}``, ``#{alternate_on}``...) for the pane."""
        return subprocess.run([*self.tmux, "display-message", "-p", "-t", self.name, fmt],
                              capture_output=True, text=True, check=True).stdout.strip()

    def title(self) -> str:
        return subprocess.run([*self.tmux, "display-message", "-p", "-t", self.name,
                               "#{pane_title}"], capture_output=True, text=True,
                              check=True).stdout.strip()

    def set_title(self, title: str) -> None:
        subprocess.run([*self.tmux, "select-pane", "-t", self.name, "-T", title], check=True)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, pred: Callable[[str], bool], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if pred(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"screen never matched; last screen:\n{screen}")

    def kill(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


def probe_live(screen: str, name: str) -> bool:
    """The header says probe ``name`` is live: ``name live``, or with other live probes'
    names before one ``live`` (``procfs pyspy ebpf live``) when a finding takes the room."""
    return re.search(rf"\b{re.escape(name)}\b(?: [a-z]+)* live\b", screen) is not None
