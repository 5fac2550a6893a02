"""Memory figures: rss/vms/faults from the stat line, uss/pss/swap from smaps_rollup.

smaps_rollup sums the whole address space in the kernel (one file instead of psutil's walk of
/proc/PID/smaps); it needs ptrace read access to the target, so it may be missing.
"""

from __future__ import annotations

from .procread import PAGE_SIZE, Stat

_KB = 1024


def from_stat(st: Stat) -> dict[str, int]:
    return {"rss": st.rss * PAGE_SIZE, "vms": st.vsize, "minflt": st.minflt,
            "majflt": st.majflt}


def parse_smaps_rollup(data: bytes) -> dict[str, int]:
    """uss, pss and swap in bytes from the text of /proc/PID/smaps_rollup (values in kB)."""
    if not data:
        return {}  # a kernel thread: no user address space
    kb: dict[bytes, int] = {}
    for line in data.split(b"\n"):
        key, sep, rest = line.partition(b":")
        if sep and rest.endswith(b"kB"):
            kb[key] = int(rest[:-2])
    if b"Pss" not in kb:
        raise ValueError("smaps_rollup without a Pss line")
    uss = kb.get(b"Private_Clean", 0) + kb.get(b"Private_Dirty", 0) + kb.get(
        b"Private_Hugetlb", 0)
    return {"uss": uss * _KB, "pss": kb[b"Pss"] * _KB, "swap": kb.get(b"Swap", 0) * _KB}
