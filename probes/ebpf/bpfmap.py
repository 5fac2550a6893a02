"""Reading BPF maps in bulk: one BPF_MAP_LOOKUP_BATCH call returns a whole map.

bcc's own table classes read entry by entry through Python objects (~10 us each); a
20 000-entry histogram array would then cost 0.2 s an interval.  Values of per-CPU maps come
back as one slot per possible CPU, each rounded up to 8 bytes; :func:`sum_u64` adds them.
"""

from __future__ import annotations

import ctypes
import errno
import struct
from functools import cache

from .bcc_api import BpfError, MapInfo, Program


@cache
def possible_cpus() -> int:
    """Number of possible CPUs (the per-CPU map slot count), from sysfs: "0-3,5" -> 5."""
    with open("/sys/devices/system/cpu/possible") as f:
        text = f.read().strip()
    count = 0
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        count += int(hi or lo) - int(lo) + 1
    return count


class Map:
    def __init__(self, prog: Program, name: str, percpu: bool = False) -> None:
        self.name = name
        self.info: MapInfo = prog.map(name)
        self._prog = prog
        self.percpu = percpu
        self.stride = (self.info.value_size + 7) & ~7 if percpu else self.info.value_size
        self.value_bytes = self.stride * possible_cpus() if percpu else self.stride
        n = self.info.max_entries
        # bytearrays, so memoryviews of them are plain bytes ('B') and can be cast
        self._keys = bytearray(n * self.info.key_size)
        self._values = bytearray(n * self.value_bytes)
        self._kaddr = ctypes.addressof((ctypes.c_char * len(self._keys)).from_buffer(self._keys))
        self._vaddr = ctypes.addressof(
            (ctypes.c_char * len(self._values)).from_buffer(self._values))

    def dump(self) -> tuple[memoryview, memoryview, int]:
        """(keys, values, count): every entry, keys and values packed back to back.  The views
        stay valid until the next dump."""
        total = 0
        token = ctypes.c_uint64(0)
        n = self.info.max_entries
        kaddr, vaddr = self._kaddr, self._vaddr
        while total < n:
            count = ctypes.c_uint32(n - total)
            err = self._prog.lookup_batch(
                self.info.fd, token, total == 0, kaddr + total * self.info.key_size,
                vaddr + total * self.value_bytes, count)
            total += count.value
            if err == errno.ENOENT:
                break
            if err:
                raise BpfError(f"reading map {self.name}: {errno.errorcode.get(err, err)}")
        return memoryview(self._keys)[:total * self.info.key_size], \
            memoryview(self._values)[:total * self.value_bytes], total

    def items(self) -> list[tuple[bytes, bytes]]:
        keys, values, count = self.dump()
        ks, vs = self.info.key_size, self.value_bytes
        return [(bytes(keys[i * ks:(i + 1) * ks]), bytes(values[i * vs:(i + 1) * vs]))
                for i in range(count)]

    def get(self, key: bytes) -> bytes | None:
        kbuf = ctypes.create_string_buffer(key, self.info.key_size)
        vbuf = ctypes.create_string_buffer(self.value_bytes)
        return vbuf.raw if self._prog.lookup(self.info.fd, kbuf, vbuf) else None

    def set(self, key: bytes, value: bytes) -> None:
        kbuf = ctypes.create_string_buffer(key, self.info.key_size)
        vbuf = ctypes.create_string_buffer(value, self.value_bytes)
        err = self._prog.update(self.info.fd, kbuf, vbuf)
        if err:
            raise BpfError(f"writing map {self.name}: {errno.errorcode.get(err, err)}")

    def delete(self, key: bytes) -> None:
        self._prog.delete(self.info.fd, ctypes.create_string_buffer(key, self.info.key_size))

    def delete_all(self, keys: list[bytes]) -> None:
        """Delete these keys in BPF_MAP_DELETE_BATCH calls: one system call, not one a key
        (a server's thread per request left thousands of rows a frame, and deleting them one
        by one was half the probe's CPU under load).  A key already gone is skipped."""
        if not keys:
            return
        ks = self.info.key_size
        buf = ctypes.create_string_buffer(b"".join(k[:ks].ljust(ks, b"\0") for k in keys))
        base = ctypes.addressof(buf)
        done = 0
        while done < len(keys):
            count = ctypes.c_uint32(len(keys) - done)
            err = self._prog.delete_batch(self.info.fd, base + done * ks, count)
            done += count.value
            if err == 0:
                continue
            if err != errno.ENOENT:  # no batch deletes here (old kernel): one by one
                for key in keys[done:]:
                    self.delete(key)
                return
            done += 1  # the kernel stopped at a key already gone


def sum_u64(value: memoryview | bytes, fields: int, stride: int, cpus: int) -> list[int]:
    """Per-field totals over the CPU slots of one per-CPU value of ``fields`` u64."""
    fmt = struct.Struct(f"={fields}Q")
    totals = [0] * fields
    for cpu in range(cpus):
        for i, v in enumerate(fmt.unpack_from(value, cpu * stride)):
            totals[i] += v
    return totals


def u64_columns(values: memoryview, count: int, cpus: int) -> list[int]:
    """Totals of a per-CPU array of single u64s (``count`` entries): one int per entry."""
    flat = values[:count * cpus * 8].cast("Q")
    if cpus == 1:
        return list(flat)
    return [sum(flat[i * cpus:(i + 1) * cpus]) for i in range(count)]
