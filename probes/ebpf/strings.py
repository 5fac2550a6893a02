"""Interning: each string (syscall name, path) goes on the wire once, in a frame's ``strs``."""

from __future__ import annotations


class Interner:
    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._new: dict[int, str] = {}

    def id(self, s: str) -> int:
        i = self._ids.get(s)
        if i is None:
            i = self._ids[s] = len(self._ids)
            self._new[i] = s
        return i

    def take_new(self) -> dict[int, str]:
        """Strings defined since the last call: the next frame's ``strs``."""
        new, self._new = self._new, {}
        return new
