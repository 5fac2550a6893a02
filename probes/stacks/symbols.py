"""Addresses to frame labels in the ``pyspy`` label style (``function (module)``), cached,
and the mark for user stacks that do not reach a thread's entry point.

A program built without frame pointers (the pyenv Python, most distribution libraries) gives
the kernel's frame-pointer walk one or two frames and then garbage or nothing.  Only the leaf of
such a stack is right: it is kept alone, under ``INCOMPLETE``, so nothing reads as a caller.
"""

from __future__ import annotations

from collections.abc import Callable

INCOMPLETE = "[incomplete stack: no frame pointers]"
LOST = "[stack lost]"
# Where every complete user stack starts (glibc, musl, Go, Rust runtimes' thread starts).
ENTRY_POINTS = frozenset({
    "_start", "__libc_start_main", "__libc_start_call_main", "__libc_start_main_impl",
    "start_thread", "clone", "clone3", "__clone", "__clone3", "thread_start",
    "runtime.goexit", "runtime.rt0_go",
})
MAX_CACHE = 200_000


class Symbolizer:
    def __init__(self, user: Callable[[int], str], kernel: Callable[[int], str]) -> None:
        self._user_sym = user
        self._kernel_sym = kernel
        self._user: dict[int, str] = {}
        self._kernel: dict[int, str] = {}

    def user(self, addr: int) -> str:
        label = self._user.get(addr)
        if label is None:
            label = _label(self._user_sym(addr))
            if len(self._user) >= MAX_CACHE:
                self._user.clear()  # a process that mapped and unmapped a lot of code
            self._user[addr] = label
        return label

    def kernel(self, addr: int) -> str:
        label = self._kernel.get(addr)
        if label is None:
            label = f"{self._kernel_sym(addr)} (kernel)"
            if len(self._kernel) >= MAX_CACHE:
                self._kernel.clear()
            self._kernel[addr] = label
        return label

    def stack(self, user: tuple[int, ...], kernel: tuple[int, ...],
              lost: bool) -> tuple[tuple[str, ...], bool]:
        """Labels root first (user frames, then kernel frames), and whether the user part
        is incomplete."""
        users = [self.user(a) for a in reversed(user)]
        kernels = [self.kernel(a) for a in reversed(kernel)]
        incomplete = bool(users) and users[0].split(" (", 1)[0] not in ENTRY_POINTS
        if incomplete:  # past the leaf, a broken frame-pointer walk reads garbage
            users = [INCOMPLETE, users[-1]]
        frames = users + kernels
        if lost or not frames:
            frames = [LOST, *frames]
        return tuple(frames), incomplete


def _label(sym: str) -> str:
    """bcc's ``name [module]`` -> ``name (module)``; unknown symbols keep their module."""
    name, sep, module = sym.rpartition(" [")
    if not sep:
        return sym
    return f"{name} ({module.removesuffix(']')})"
