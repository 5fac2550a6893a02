"""The BPF side: a perf_event program on the software cpu-clock event of every CPU that counts
(thread, user stack, kernel stack) for the target's threads, and the reads of its maps."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from perftui.probes import bccenv

from .perfmap import perf_map_problem

PROGRAM = r"""
#include <uapi/linux/bpf_perf_event.h>

struct key_t {
    u32 tid;
    int user_stack;    /* stack id, or a negative errno when it could not be taken */
    int kernel_stack;
};

BPF_HASH(counts, struct key_t, u64, COUNTS_MAX);
BPF_STACK_TRACE(stacks, STACKS_MAX);

int on_tick(struct bpf_perf_event_data *ctx) {
    u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) != TARGET_TGID)
        return 0;
    struct key_t key = {};
    key.tid = (u32)id;
    key.user_stack = stacks.get_stackid(&ctx->regs, BPF_F_USER_STACK);
    /* A tick in user mode has no kernel stack: the id is then -EFAULT. */
    key.kernel_stack = stacks.get_stackid(&ctx->regs, 0);
    counts.increment(key);
    return 0;
}
"""

EFAULT = 14
COUNTS_MAX = 16384
STACKS_MAX = 16384


@dataclass(frozen=True)
class Tick:
    tid: int
    user: tuple[int, ...]  # addresses, leaf first; () when no user stack was taken
    kernel: tuple[int, ...]
    count: int
    lost: bool  # a stack could not be stored (the stack map was full or collided)


class Sampler:
    def __init__(self, pid: int, freq: int) -> None:
        self.bcc = bccenv.import_bcc()
        self.pid = pid
        self.unsafe_map = ""  # why the target's perf map is refused (check_perf_map)
        self.b: Any = self.bcc.BPF(text=PROGRAM, cflags=[
            f"-DTARGET_TGID={pid}", f"-DCOUNTS_MAX={COUNTS_MAX}", f"-DSTACKS_MAX={STACKS_MAX}"])
        self.b.attach_perf_event(ev_type=self.bcc.PerfType.SOFTWARE,
                                 ev_config=self.bcc.PerfSWConfig.CPU_CLOCK,
                                 fn_name="on_tick", sample_freq=freq, pid=-1, cpu=-1)

    def take(self) -> list[Tick]:
        """The ticks counted since the last call (read and deleted in one batch, so none is
        counted twice or lost in between), with their stacks."""
        counts, stacks = self.b["counts"], self.b["stacks"]
        ticks = []
        for key, value in counts.items_lookup_and_delete_batch():
            user = self._walk(stacks, key.user_stack)
            kernel = self._walk(stacks, key.kernel_stack)
            lost = (key.user_stack < 0 and key.user_stack != -EFAULT) or (
                key.kernel_stack < 0 and key.kernel_stack != -EFAULT)
            ticks.append(Tick(key.tid, user, kernel, int(value), lost))
        # Stacks are looked up above; keeping them would fill the map over a long session.
        stacks.clear()
        return ticks

    @staticmethod
    def _walk(stacks: Any, stack_id: int) -> tuple[int, ...]:
        if stack_id < 0:
            return ()
        try:
            return tuple(stacks.walk(stack_id))
        except KeyError:  # cleared between the tick and the read: counted as lost
            return ()

    def check_perf_map(self) -> str:
        """Look at the perf map again (before each chunk): "" or why it is refused."""
        self.unsafe_map = perf_map_problem(self.pid)
        return self.unsafe_map

    def sym(self, addr: int) -> str:
        if self.unsafe_map:  # libbcc would open it: name nothing rather than hang on it
            return f"0x{addr:x} [unnamed: perf map refused]"
        name, offset, module = self.b._sym_cache(self.pid).resolve(addr, True)
        where = os.path.basename(module.decode("utf-8", "replace")) if module else ""
        if name is None:
            # Stripped code (Debian's gzip): the binary and the offset in it, which
            # addr2line or objdump turn into a place, not one "[unknown]" for all of it.
            return f"{where}+0x{offset:x} [{where}]" if where else "[unknown]"
        label = name.decode("utf-8", "replace")
        return f"{label} [{where}]" if where else label

    def ksym(self, addr: int) -> str:
        return str(self.b.ksym(addr, show_module=False).decode("utf-8", "replace"))

    def close(self) -> None:
        self.b.cleanup()
