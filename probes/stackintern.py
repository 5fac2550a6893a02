"""Ids for frame labels and stacks, so each is sent once per stream.

A chunk frame carries only what is new since the previous one (``strs`` for labels,
``stacks`` for stacks); the reader keeps the tables.  Both tables are capped: when a target
keeps making new stacks (native addresses, generated code) the tables start over and the
frame says ``reset`` (forget every id), so neither side grows without bound.
"""

from __future__ import annotations

from typing import Any

MAX_STACKS = 50_000


class Interner:
    def __init__(self, max_stacks: int = MAX_STACKS) -> None:
        self._max_stacks = max_stacks
        self._labels: dict[str, int] = {}
        self._stacks: dict[tuple[int, ...], int] = {}
        self._new_strs: dict[int, str] = {}
        self._new_stacks: dict[int, list[int]] = {}
        self._reset = False

    def _label(self, text: str) -> int:
        sid = self._labels.get(text)
        if sid is None:
            sid = self._labels[text] = len(self._labels)
            self._new_strs[sid] = text
        return sid

    def begin(self) -> None:
        """Call before interning a chunk's stacks: the tables start over only between chunks
        (a frame's samples must not refer to ids from before its own ``reset``)."""
        if len(self._stacks) >= self._max_stacks:
            self._labels.clear()
            self._stacks.clear()
            self._new_strs.clear()
            self._new_stacks.clear()
            self._reset = True

    def stack(self, frames: tuple[str, ...]) -> int:
        """The id of a stack (labels root first), defined in the next frame if new."""
        key = tuple(self._label(f) for f in frames)
        stack_id = self._stacks.get(key)
        if stack_id is None:
            stack_id = self._stacks[key] = len(self._stacks)
            self._new_stacks[stack_id] = list(key)
        return stack_id

    def take(self) -> dict[str, Any]:
        """The fields to add to the next frame: ``reset``, ``strs``, ``stacks`` (when any)."""
        out: dict[str, Any] = {}
        if self._reset:
            out["reset"] = True
        if self._new_strs:
            out["strs"] = self._new_strs
        if self._new_stacks:
            out["stacks"] = self._new_stacks
        self._new_strs, self._new_stacks, self._reset = {}, {}, False
        return out
