"""The only module that touches bcc: compile, attach, find maps, and raw map operations.

bcc has no type stubs and a wide API; the probe needs a handful of calls, wrapped here with
types so the rest of the probe is checked by mypy.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import tempfile
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from perftui.probes import bccenv


@dataclass(frozen=True)
class MapInfo:
    fd: int
    key_size: int
    value_size: int  # of one CPU's value for per-CPU maps
    max_entries: int


class BpfError(RuntimeError):
    pass


class _StderrCapture:
    """Collects what libbcc (clang, the verifier) prints on fd 2 while compiling, so a failure
    can say why; the text is passed on to the real stderr too."""

    def __enter__(self) -> _StderrCapture:
        self._file = tempfile.TemporaryFile()
        sys.stderr.flush()
        self._saved = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        return self

    def __exit__(self, *exc: object) -> None:
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        self.text = self._file.read().decode("utf-8", "replace")
        self._file.close()
        sys.stderr.write(self.text)

    def tail(self) -> str:
        self._file.seek(0)
        lines = [ln for ln in self._file.read().decode("utf-8", "replace").splitlines()
                 if "error" in ln or "invalid" in ln or "denied" in ln]
        return " | ".join(lines[-3:]) or "see the probe's stderr"


class Program:
    """A compiled BPF object (its programs and maps live as long as this process holds it)."""

    def __init__(self, source: str, cflags: list[str]) -> None:
        """Compiles and loads; the ``TRACEPOINT_PROBE`` functions are attached by bcc right
        away, others by :meth:`attach_raw`.  Raises BccUnavailable or BpfError."""
        self._bcc: ModuleType = bccenv.import_bcc()
        with _StderrCapture() as said:
            try:
                self._bpf: Any = self._bcc.BPF(text=source.encode(), cflags=cflags)
            except Exception as exc:  # bcc raises bare Exception for compile and load errors
                self._cleanup_partial()
                raise BpfError(f"{exc}: {said.tail()}") from exc
        self._lib: Any = self._bcc.libbcc.lib

    def _cleanup_partial(self) -> None:
        """bcc attaches while it constructs; a failure half way leaves an object only its
        atexit hook (never run: probes end with os._exit) knows.  Detach it here."""
        for obj in gc.get_objects():
            if isinstance(obj, self._bcc.BPF):
                try:
                    obj.cleanup()
                except Exception:
                    pass

    def map(self, name: str) -> MapInfo:
        table = self._bpf.get_table(name.encode())
        leaf = getattr(table, "sLeaf", table.Leaf)  # bcc's per-CPU tables widen Leaf
        return MapInfo(int(table.map_fd), ctypes.sizeof(table.Key), ctypes.sizeof(leaf),
                       int(table.max_entries))

    def attach_raw(self, tracepoint: str, function: str) -> None:
        """Attach a function to a raw tracepoint (``sys_enter``); raises BpfError."""
        try:
            self._bpf.attach_raw_tracepoint(tp=tracepoint.encode(), fn_name=function.encode())
        except Exception as exc:
            raise BpfError(f"attach {function} to raw tracepoint {tracepoint}: {exc}") from exc

    def tail_calls(self, table: str, functions: list[str]) -> None:
        """Load raw-tracepoint ``functions`` into the BPF_PROG_ARRAY ``table``, at their
        index in the list, for the attached programs to tail-call; raises BpfError."""
        try:
            progs = self._bpf.get_table(table.encode())
            for i, name in enumerate(functions):
                fn = self._bpf.load_func(name.encode(), self._bcc.BPF.RAW_TRACEPOINT)
                progs[ctypes.c_int(i)] = ctypes.c_int(fn.fd)
        except Exception as exc:
            raise BpfError(f"load tail calls {', '.join(functions)}: {exc}") from exc

    def attached(self) -> list[str]:
        """Names of the tracepoints and raw tracepoints this object is attached to."""
        names = [tp.decode() for tp in self._bpf.tracepoint_fds]
        return names + [f"raw:{tp.decode()}" for tp in self._bpf.raw_tracepoint_fds]

    def close(self) -> None:
        """Detach everything and close the programs and maps (idempotent)."""
        if self._bpf is not None:
            self._bpf.cleanup()
            self._bpf = None

    # Raw map operations (libbcc's thin wrappers over the bpf() system call). ------------

    def lookup_batch(self, fd: int, token: ctypes.c_uint64, first: bool, keys: int,
                     values: int, count: ctypes.c_uint32) -> int:
        """One BPF_MAP_LOOKUP_BATCH into the buffers at addresses ``keys``/``values``, resuming
        after ``token`` unless ``first``; updates ``token`` and ``count``.  0 or an errno
        (ENOENT: the map has no more entries)."""
        tok = ctypes.cast(ctypes.byref(token), ctypes.POINTER(ctypes.c_uint32))
        rc = self._lib.bpf_lookup_batch(fd, None if first else tok, tok, ctypes.c_void_p(keys),
                                        ctypes.c_void_p(values), ctypes.byref(count))
        return 0 if rc == 0 else ctypes.get_errno() or -rc

    def lookup(self, fd: int, key: ctypes.Array[ctypes.c_char],
               value: ctypes.Array[ctypes.c_char]) -> bool:
        return int(self._lib.bpf_lookup_elem(fd, key, value)) == 0

    def update(self, fd: int, key: ctypes.Array[ctypes.c_char],
               value: ctypes.Array[ctypes.c_char]) -> int:
        """0 or an errno."""
        rc = int(self._lib.bpf_update_elem(fd, key, value, 0))
        return 0 if rc == 0 else ctypes.get_errno() or -rc

    def delete(self, fd: int, key: ctypes.Array[ctypes.c_char]) -> None:
        self._lib.bpf_delete_elem(fd, key)

    def delete_batch(self, fd: int, keys: int, count: ctypes.c_uint32) -> int:
        """One BPF_MAP_DELETE_BATCH of ``count`` keys packed at address ``keys``; ``count``
        becomes how many were deleted (the kernel stops at the first key it cannot delete).
        0 or an errno."""
        rc = self._lib.bpf_delete_batch(fd, ctypes.c_void_p(keys), ctypes.byref(count))
        return 0 if rc == 0 else ctypes.get_errno() or -rc
