"""Does a program keep frame pointers?  The kernel walks user stacks by frame pointer only, so
in a program built without them a native stack sample is right about its leaf and nothing
else (perftui marks such stacks leaf-only).  This reads an ELF file's function symbols and
looks at how the functions start: built with frame pointers, nearly every function that is
not a trivial leaf opens with ``push %rbp; mov %rsp,%rbp``; built without, almost none does.

A heuristic over a sample of functions, x86-64 only; no disassembler, no dependency.
"""

from __future__ import annotations

import mmap
import platform
import struct
from dataclasses import dataclass
from pathlib import Path

_ENDBR64 = b"\xf3\x0f\x1e\xfa"  # CET landing pad that may come before the prologue
_PROLOGUES = (b"\x55\x48\x89\xe5", b"\x55\x48\x8b\xec")  # push %rbp; mov %rsp,%rbp
SHF_EXECINSTR = 0x4
STT_FUNC = 2
SAMPLE = 2000  # functions looked at, at most: a big library answers as fast as a small one
THRESHOLD = 0.3  # share of functions with the prologue above which frame pointers are kept
MIN_FUNCTIONS = 3
MIN_SIZE = 16  # smaller functions are mostly trivial leaves, which set up no frame anyway


@dataclass(frozen=True)
class Verdict:
    path: str
    kept: bool | None  # None: cannot tell (no symbols, not x86-64 ELF, unreadable)
    share: float = 0.0  # of the functions looked at, how many set up a frame pointer
    functions: int = 0
    why: str = ""  # when kept is None


def _sections(data: mmap.mmap) -> list[tuple[int, int, int, int, int, int, int]]:
    """(name, type, flags, addr, offset, size, link) of each section header."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    out = []
    for i in range(shnum):
        name, kind, flags, addr, offset, size, link = struct.unpack_from(
            "<IIQQQQI", data, shoff + i * shentsize)
        out.append((name, kind, flags, addr, offset, size, link))
    return out


def inspect(path: str) -> Verdict:
    if platform.machine() != "x86_64":
        return Verdict(path, None, why=f"cannot tell on {platform.machine()}")
    try:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _inspect(path, data)
    except (OSError, ValueError) as e:  # ValueError: an empty file cannot be mapped
        return Verdict(path, None, why=f"cannot read it: {getattr(e, 'strerror', None) or e}")


def _inspect(path: str, data: mmap.mmap) -> Verdict:
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return Verdict(path, None, why="not a 64-bit little-endian ELF file")
    try:
        sections = _sections(data)
        # .symtab (type 2) when the file is not stripped, else .dynsym (type 11)
        symtabs = [s for s in sections if s[1] == 2] or [s for s in sections if s[1] == 11]
        if not symtabs:
            return Verdict(path, None, why="no symbols (stripped)")
        _n, _t, _f, _a, offset, size, _l = symtabs[0]
        starts = []
        for pos in range(offset, offset + size, 24):
            _name, info, _other, shndx, value, fsize = struct.unpack_from("<IBBHQQ", data, pos)
            if info & 0xF != STT_FUNC or fsize < MIN_SIZE or not 0 < shndx < len(sections):
                continue
            _sn, _st, flags, addr, soff, _ssize, _sl = sections[shndx]
            if flags & SHF_EXECINSTR:
                at = soff + value - addr
                starts.append(data[at:at + 8])
            if len(starts) >= SAMPLE:
                break
    except struct.error:
        return Verdict(path, None, why="a damaged ELF file")
    if len(starts) < MIN_FUNCTIONS:
        return Verdict(path, None, len(starts) and 0.0, len(starts),
                       why=f"{len(starts)} function symbols: too few to tell")
    framed = sum(1 for s in starts if s.removeprefix(_ENDBR64)[:4] in _PROLOGUES)
    share = framed / len(starts)
    return Verdict(path, share >= THRESHOLD, share, len(starts))


def native_code_of(pid: int) -> list[str]:
    """The process's executable and, when it has one mapped, its libpython: where a native
    stack sample of a Python process mostly lands."""
    paths = [str(Path(f"/proc/{pid}/exe").resolve())]
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return paths
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        path = fields[5].strip() if len(fields) == 6 else ""
        if "/libpython" in path and path not in paths:
            paths.append(path)
            break
    return paths
