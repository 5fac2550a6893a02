// perftui eBPF probe: syscalls, latency, errors, per-fd bytes and per-socket bytes of ONE
// process (all its threads).  Compiled by bcc at run time; the Python side passes:
//   TGID        the target's pid
//   MAX_NR      syscall numbers are < MAX_NR (a power of two)
//   NSLOT       log2 buckets per histogram
//   ARG0_OFF .. ARG4_OFF   offsets of syscall arguments 0-4 in the arch's pt_regs (uapi
//               ptrace ABI, the same in every kernel: not a kernel-internal layout)
//   FULL        latency, errors, files, sockets, and what the findings need (lookups per
//               path and thread, the timeouts of waits, futex waits and wakes per address)
//               (else: counts only, sys_enter alone)
//   NET         the sock:sock_{send,recv}_length and sock:inet_sock_set_state tracepoints
//               exist
//   TREE        follow TGID's descendants too (PID_SLOTS: the kernel's pid_max): every
//               syscall of the tree is counted, and per process in ``procs``; the per-fd
//               tables (files, names) stay TGID's own, as fd numbers are per process
// Only tracepoint arguments are read (never kernel structs): the headers bcc compiles
// against need not match the running kernel.

#include <uapi/linux/ptrace.h>

// Per-syscall counts, indexed by syscall number.  Per-CPU: no atomics on the hot path.
BPF_PERCPU_ARRAY(counts, u64, MAX_NR);

#ifdef TREE
// The processes watched, by pid: 1 for TGID's descendants (set at fork, cleared when the
// whole group is dead).  An array, not a hash: every syscall of every process on the host
// looks here, and an array lookup is an inlined bounds check and load.
BPF_ARRAY(tree, u8, PID_SLOTS);
struct pstat { u64 calls; u64 rbytes; u64 wbytes; u64 reads; u64 writes; };
BPF_PERCPU_HASH(procs, u32, struct pstat, 4096);  // per process of the tree

static __always_inline int watched(u32 tgid) {
    if (tgid == TGID) return 1;
    u8 *w = tree.lookup(&tgid);
    return w && *w;
}

static __always_inline struct pstat *pstat_of(u32 tgid) {
    struct pstat zero = {};
    return procs.lookup_or_try_init(&tgid, &zero);
}

TRACEPOINT_PROBE(sched, sched_process_fork) {
    u32 parent = bpf_get_current_pid_tgid() >> 32;  // runs in the forking task
    if (!watched(parent)) return 0;
    u32 child = args->child_pid;  // a new thread's tid too: harmless, its group is watched
    u8 one = 1;
    tree.update(&child, &one);
    return 0;
}

TRACEPOINT_PROBE(sched, sched_process_exit) {
    u64 id = bpf_get_current_pid_tgid();
    u32 pid = id >> 32, tid = (u32)id;
    if (!watched(pid)) return 0;
    u8 zero = 0;
    if (tid != pid) tree.update(&tid, &zero);  // a thread's slot, set at its clone
    if (args->group_dead && pid != TGID) tree.update(&pid, &zero);  // the process is gone
    return 0;
}

#define IS_WATCHED(tgid) watched(tgid)
#else
#define IS_WATCHED(tgid) ((tgid) == TGID)
#endif

#ifdef FULL
// What a syscall does with a file descriptor (filled by user space, indexed by number).
#define K_READ 1   // arg0 is an fd; a positive return is bytes read
#define K_WRITE 2  // arg0 is an fd; a positive return is bytes written
#define K_CLOSE 3  // arg0 is an fd that ends here
#define K_DUP 4    // arg1 is an fd that ends here (dup2, dup3)
#define K_NOSLOT 5 // never returns (exit, exit_group): keep no in-flight state
#define K_OPEN0 6  // arg0 is a path (open, creat): a return >= 0 is the fd it names
#define K_OPEN1 7  // arg0 a directory fd, arg1 a path (openat, openat2)
#define K_NEWFD 8  // a return >= 0 is a new fd of a kind named by the syscall (socket...)
#define K_CHDIR 9  // arg0 is a path: the new working directory (relative paths start there)
#define K_FCHDIR 10 // arg0 is a directory fd: the new working directory
#define K_XFER01 11 // arg0 the fd written, arg1 the fd read (sendfile): bytes count on both
#define K_XFER20 12 // arg0 the fd read, arg2 the fd written (splice, copy_file_range)
#define K_CLOSERANGE 13 // fds arg0..arg1 end here, unless flags (arg2) only set close-on-exec
#define K_EXEC 14  // a successful exec closes the close-on-exec fds
#define K_PAIR0 15 // arg0 points to the two new fds (pipe, pipe2)
#define K_PAIR3 16 // arg3 points to the two new fds (socketpair)
#define K_STAT0 17 // arg0 is a path looked up (stat, lstat, access, readlink)
#define K_STAT1 18 // arg0 a directory fd, arg1 a path looked up (newfstatat, statx, faccessat..)
// A wait's timeout, classed at entry (see TMO_*): where it is and how it is given.
#define K_TMO_MS2 19  // arg2 is an int of ms, < 0: none (poll)
#define K_TMO_MS3 20  // arg3 is an int of ms, < 0: none (epoll_wait, epoll_pwait)
#define K_TMO_TS0 21  // arg0 points to a timespec (nanosleep)
#define K_TMO_TS2 22  // arg2 points to a timespec, NULL: none (ppoll)
#define K_TMO_TS3 23  // arg3 points to a timespec, NULL: none (epoll_pwait2)
#define K_TMO_TS4 24  // arg4 points to a timespec, NULL: none (pselect6)
#define K_TMO_TV4 25  // arg4 points to a timeval, NULL: none (select)
#define K_TMO_CLK 26  // arg2 points to a timespec, relative unless arg1 has TIMER_ABSTIME
                      // (then a deadline on clock arg0)
#define K_FUTEX 27    // arg0 the futex address, arg1 the operation, arg3 a timeout or NULL
BPF_ARRAY(fdkind, u8, MAX_NR);

// The syscall in flight on this CPU.  A thread that leaves the CPU mid-syscall (blocks or
// is preempted) has its slot parked in a per-thread table by sched_switch, so the common
// fast syscall costs two per-CPU array accesses instead of a hash insert and delete.
#define F_LIVE 1     // a syscall is in flight
#define F_TIMED 2    // sampled for latency: ts is its start
#define F_BLOCKED 4  // it left the CPU: timed from then on if it was not sampled
struct slot {
    u64 ts;
    u32 tid;
    u32 nr;
    s32 fd;    // -1: none
    s32 fd2;   // the fd read by a K_XFER call, else -1
    u8 kind;
    u8 flags;
    u8 shift;  // sampling shift in force when it started (weight 1 << shift)
    u8 own;    // TGID's own call (else a descendant's: counted, but not in the fd tables)
    u64 uaddr; // K_FUTEX: the futex address (fd: the operation, fd2: 1 if it has a timeout);
               // K_STAT*: the path (read at the exit: no per-thread table on the way)
};
BPF_PERCPU_ARRAY(cur, struct slot, 1);
BPF_TABLE("lru_hash", u32, struct slot, parked, 16384);

// Latency sampling, set by user space from the target's syscall rate: a clock read costs
// ~60 ns on a VM, as much as a fast syscall itself.  Every (1 << shift)-th call of each
// syscall number on each CPU is timed and counted with weight 1 << shift; a call that
// leaves the CPU is always timed (from when it left, if not sampled) with weight 1.  The
// histograms are then unbiased estimates; with shift 0 they are exact.
BPF_ARRAY(config, u32, 1);

BPF_PERCPU_ARRAY(lat, u64, MAX_NR * NSLOT);  // [nr][log2(ns)] counts
BPF_PERCPU_ARRAY(nsum, u64, MAX_NR);          // total ns per syscall

struct errkey { u32 nr; u32 err; };
BPF_PERCPU_HASH(errs, struct errkey, u64, 4096);

// Per thread and syscall: calls and ns with the latency's weights (only timed calls touch
// it, so the hot path of an untimed call stays two array accesses), and every error.  Only
// the thread itself writes its entries: no atomics.  LRU: the pairs unused the longest make
// room; user space deletes the entries of ended threads once reported.  ``tgid``: the
// thread's process (with TREE, a descendant's threads are here too).
struct tkey { u32 tid; u32 nr; };
struct tval { u64 calls; u64 ns; u64 errors; u32 tgid; u32 pad; };
BPF_TABLE("lru_hash", struct tkey, struct tval, bythread, 16384);

// Bytes per file.  The common case, a low fd, is a plain array slot per fd (an inlined
// lookup and atomic adds).  When the target closes such an fd, its slot's counts move to
// the ``files`` table under (fd, generation) and the fd's generation moves on, so the next
// file to get that number starts from zero; ``moves`` is odd while a move is under way,
// so user space can read both without counting anything twice.  Higher fds count straight
// into ``files`` under their current generation.
#define FDFAST 4096
#define FDGEN_MAX 65536
struct fdval { u64 rbytes; u64 wbytes; u64 reads; u64 writes; };
BPF_ARRAY(fdio, struct fdval, FDFAST);
BPF_ARRAY(moves, u64, 1);
BPF_ARRAY(fdgen, u32, FDGEN_MAX);
struct fdkey { s32 fd; u32 gen; };
BPF_PERCPU_HASH(files, struct fdkey, struct fdval, 8192);
// One past the highest fd the target is known to have used (set by user space from /proc
// at attach, raised when an fd is made or moves bytes): how far close_range and exec look.
BPF_ARRAY(fdtop, u32, 1);
#define SCAN_STEP 128  // fds per scan program run (the verifier walks every turn); each run
                       // tail-calls the next: 33 runs, about 4200 fds, at most

// What an fd is, learnt when it is made: the path given to open (resolved by user space
// against ``dirfd``, or the cwd for AT_FDCWD) or, for K_NEWFD, the syscall that made it
// (``nr``).  Keyed like ``files``, so a file opened and closed within one interval keeps
// its name; user space takes the entries it has read.
// A relative path needs the working directory of the moment: each chdir/fchdir that
// succeeds is numbered (``cwdgen``) and filed under key {-1, number}; an open carries the
// number in force and, for a directory fd, that fd's generation (``dirgen``).
#define NAME_LEN 256
struct fdname { s32 dirfd; u32 nr; u32 dirgen; u32 cwdgen; char path[NAME_LEN]; };
BPF_PERCPU_ARRAY(namebuf, struct fdname, 1);
BPF_HASH(opening, u32, struct fdname, 1024);  // per thread, from an open's entry to its exit
BPF_HASH(names, struct fdkey, struct fdname, 8192);
BPF_ARRAY(cwdgen, u32, 1);
BPF_PERCPU_ARRAY(iosize, u64, 2 * NSLOT);  // [read, write][log2(bytes)]

// For findings.  Lookups (opens, stats) per (thread, path as given), failed ones too: what
// an open storm or a stat storm is made of.  Only the thread itself writes its entries: no
// atomics.  Bounded: once full, lookups count in ``pathother`` ([opens, stats, open fails,
// stat fails]) and user space names them "(other paths)".
struct pathkey { u32 tid; u32 pad; char path[NAME_LEN]; };
struct pathval { u64 opens; u64 stats; u64 open_fails; u64 stat_fails; };
BPF_HASH(pathops, struct pathkey, struct pathval, 4096);
BPF_PERCPU_ARRAY(pathkeybuf, struct pathkey, 1);  // (too big for the stack)
BPF_PERCPU_ARRAY(pathother, u64, 4);
// The timeouts waits were given, per (thread, syscall), in classes (a zero or tiny timeout
// in a loop is polling).  LRU: bounded, the pairs unused longest make room.
#define TMO_ZERO 0
#define TMO_1MS 1    // (0, 1 ms)
#define TMO_10MS 2   // [1 ms, 10 ms)
#define TMO_100MS 3  // [10 ms, 100 ms)
#define TMO_LONG 4   // 100 ms or more
#define TMO_NONE 5   // no timeout: waits until something happens
#define TMO_CLASSES 6
struct tmoval { u64 c[TMO_CLASSES]; };
BPF_TABLE("lru_hash", struct tkey, struct tmoval, timeouts, 4096);
// Futex waits and wakes per (address, thread): many threads waiting on one address that
// others wake often is a contended lock; the address every Python thread waits on with a
// timeout is the GIL's.  ``wait_ns``: time blocked in waits; ``woken``: threads the wakes woke.
struct fxkey { u64 uaddr; u32 tid; u32 pad; };
struct fxval { u64 waits; u64 wait_ns; u64 timeouts; u64 timed; u64 wakes; u64 woken; };
BPF_TABLE("lru_hash", struct fxkey, struct fxval, futexes, 8192);

// Events lost because a table was full, by table (see DROP_*).
#define DROP_ERRS 0
#define DROP_FILES 1
#define DROP_CONNS 2
#define DROP_NAMES 3
#define DROP_PATHS 4
BPF_ARRAY(drops, u64, 5);

static __always_inline u32 log2_bucket(u64 v) {
    // 0 for 0, else floor(log2(v)) + 1, capped at NSLOT - 1
    u32 b = 0;
    if (v >= (1ULL << 32)) { v >>= 32; b += 32; }
    if (v >= (1ULL << 16)) { v >>= 16; b += 16; }
    if (v >= (1ULL << 8)) { v >>= 8; b += 8; }
    if (v >= (1ULL << 4)) { v >>= 4; b += 4; }
    if (v >= (1ULL << 2)) { v >>= 2; b += 2; }
    if (v >= 2) { b += 1; }
    b = v ? b + 1 : 0;
    return b < NSLOT ? b : NSLOT - 1;
}

static __always_inline void drop(u32 which) {
    u64 *d = drops.lookup(&which);
    if (d) __sync_fetch_and_add(d, 1);
}

static __always_inline long syscall_arg(struct bpf_raw_tracepoint_args *ctx, u32 off) {
    long v = -1;
    bpf_probe_read_kernel(&v, sizeof(v), (void *)(ctx->args[0] + off));
    return v;
}

static __always_inline void fd_closed(long fd) {
    if (fd < 0 || fd >= FDGEN_MAX) return;
    u32 key = fd;
    u32 *g = fdgen.lookup(&key);
    if (!g) return;
    struct fdval *v = key < FDFAST ? fdio.lookup(&key) : 0;
    if (v && (v->reads || v->writes)) {
        u32 zero = 0;
        u64 *seq = moves.lookup(&zero);
        if (!seq) return;
        __sync_fetch_and_add(seq, 1);
        struct fdkey fk = {fd, *g};
        struct fdval zv = {};
        struct fdval *old = files.lookup_or_try_init(&fk, &zv);
        if (old) {
            old->rbytes += v->rbytes;
            old->wbytes += v->wbytes;
            old->reads += v->reads;
            old->writes += v->writes;
        } else {
            drop(DROP_FILES);
        }
        v->rbytes = 0;
        v->wbytes = 0;
        v->reads = 0;
        v->writes = 0;
        __sync_fetch_and_add(g, 1);
        __sync_fetch_and_add(seq, 1);
        return;
    }
    __sync_fetch_and_add(g, 1);
}

static __always_inline void fd_used(long fd) {
    u32 zero = 0;
    u32 *top = fdtop.lookup(&zero);
    if (top && fd >= 0 && fd < FDGEN_MAX && (u32)fd >= *top) *top = fd + 1;
}

// close_range() and exec's close-on-exec end many fds at once, possibly all of them: each
// known fd in the range starts a new generation.  An fd that in fact stayed open (exec keeps
// those without close-on-exec) then has a second generation under the same name, which
// user space reads from /proc: its counts still add up by name.
// close_range() and exec's close-on-exec end many fds at once: each known fd in the range
// starts a new generation.  The scan is a loop, so it runs in programs of its own, reached
// by a tail call only from those calls: the verifier walks each loop turn, and inlined in
// the per-syscall programs it would pass its limit.  An fd that in fact stayed open (exec
// keeps those without close-on-exec) then has a second generation under the same name,
// read from /proc: its counts still add up by name.
#define TAIL_CLOSE_RANGE 0
#define TAIL_EXEC 1
#define TAIL_SCAN 2
BPF_PROG_ARRAY(tails, 3);
struct scan { u32 next; u32 end; };
BPF_PERCPU_ARRAY(scanning, struct scan, 1);  // the scan in progress on this CPU

// At the entry of an open or a chdir: what it names, until its exit says if it worked.
static __always_inline void remember_path(struct bpf_raw_tracepoint_args *ctx, u32 tid,
                                          u32 nr, u32 kind) {
    u32 zero = 0;
    struct fdname *nb = namebuf.lookup(&zero);
    u32 *cg = cwdgen.lookup(&zero);
    if (!nb || !cg) return;
    nb->nr = nr;
    nb->cwdgen = *cg;
    nb->dirfd = kind == K_OPEN1 || kind == K_FCHDIR ? (s32)syscall_arg(ctx, ARG0_OFF) : -100;
    nb->dirgen = 0;
    if (nb->dirfd >= 0 && nb->dirfd < FDGEN_MAX) {
        u32 dfd = nb->dirfd;
        u32 *g = fdgen.lookup(&dfd);
        nb->dirgen = g ? *g : 0;
    }
    // Zeroed, not just cut at the end: the path is also a hash key (pathops), and the
    // bytes past its end would be the previous path's.
    __builtin_memset(nb->path, 0, sizeof(nb->path));
    if (kind != K_FCHDIR) {
        long path = syscall_arg(ctx, kind == K_OPEN1 ? ARG1_OFF : ARG0_OFF);
        if (bpf_probe_read_user_str(nb->path, sizeof(nb->path), (void *)path) <= 0) return;
    }
    opening.update(&tid, nb);
}

static __always_inline u32 tmo_class(s64 ns) {
    if (ns < 0) return TMO_NONE;
    if (ns == 0) return TMO_ZERO;
    if (ns < 1000000) return TMO_1MS;
    if (ns < 10000000) return TMO_10MS;
    if (ns < 100000000) return TMO_100MS;
    return TMO_LONG;
}

// A timespec (or, ``usec``, a timeval) in user memory as ns; -1 for NULL (no timeout).
static __always_inline s64 user_time_ns(long at, u32 usec) {
    if (!at) return -1;
    s64 t[2] = {0, 0};
    if (bpf_probe_read_user(t, sizeof(t), (void *)at)) return -1;
    if (t[0] < 0 || t[1] < 0) return -1;
    return t[0] * 1000000000LL + t[1] * (usec ? 1000 : 1);
}

// At the entry of a wait with a timeout: count it in its class for this thread.
static __always_inline void count_timeout(struct bpf_raw_tracepoint_args *ctx, u32 tid,
                                          u32 nr, u32 kind) {
    s64 ns;
    if (kind == K_TMO_MS2 || kind == K_TMO_MS3) {
        int ms = (int)syscall_arg(ctx, kind == K_TMO_MS2 ? ARG2_OFF : ARG3_OFF);
        ns = ms < 0 ? -1 : (s64)ms * 1000000;
    } else if (kind == K_TMO_TS0) {
        ns = user_time_ns(syscall_arg(ctx, ARG0_OFF), 0);
    } else if (kind == K_TMO_TS2) {
        ns = user_time_ns(syscall_arg(ctx, ARG2_OFF), 0);
    } else if (kind == K_TMO_TS3) {
        ns = user_time_ns(syscall_arg(ctx, ARG3_OFF), 0);
    } else if (kind == K_TMO_TS4) {
        ns = user_time_ns(syscall_arg(ctx, ARG4_OFF), 0);
    } else if (kind == K_TMO_TV4) {
        ns = user_time_ns(syscall_arg(ctx, ARG4_OFF), 1);
    } else {  // K_TMO_CLK
        ns = user_time_ns(syscall_arg(ctx, ARG2_OFF), 0);
        if (syscall_arg(ctx, ARG1_OFF) & 1) {  // TIMER_ABSTIME: a deadline (Python's sleep)
            // On CLOCK_MONOTONIC (1), the BPF clock's: the wait is what is left of it.
            // Another clock's deadline says nothing of the wait's length.
            if (syscall_arg(ctx, ARG0_OFF) != 1 || ns < 0) return;
            ns -= bpf_ktime_get_ns();
            if (ns < 0) ns = 0;
        }
    }
    struct tkey k = {tid, nr};
    struct tmoval zv = {};
    struct tmoval *v = timeouts.lookup_or_try_init(&k, &zv);
    u32 c = tmo_class(ns);
    if (v && c < TMO_CLASSES) v->c[c]++;
}

#endif  // FULL

// Attached by user space once the fdkind table is filled (not by bcc at load time).
int on_sys_enter(struct bpf_raw_tracepoint_args *ctx) {
    u64 id = bpf_get_current_pid_tgid();
    if (!IS_WATCHED(id >> 32)) return 0;
    u32 nr = ctx->args[1];
    u64 *c = counts.lookup(&nr);
    if (!c) return 0;  // out of range (x32 numbers have bit 30 set)
    (*c)++;
#ifdef TREE
    struct pstat *ps = pstat_of(id >> 32);
    if (ps) ps->calls++;
#endif
#ifdef FULL
    u8 *k = fdkind.lookup(&nr);
    u32 kind = k ? *k : 0;
    if (kind == K_NOSLOT) {  // never returns: in the per-thread split here, untimed
        struct tkey tk = {(u32)id, nr};
        struct tval tz = {.tgid = id >> 32};
        struct tval *tv = bythread.lookup_or_try_init(&tk, &tz);
        if (tv) tv->calls++;
        return 0;
    }
    u8 own = (id >> 32) == TGID;  // fd numbers are per process: the fd tables are TGID's
    if (!own && kind != K_READ && kind != K_WRITE && kind != K_XFER01 && kind != K_XFER20)
        kind = 0;
    u32 zero = 0;
    struct slot *s = cur.lookup(&zero);
    u32 *cfg = config.lookup(&zero);
    if (!s || !cfg) return 0;
    long fd = -1, fd2 = -1;
    if (kind == K_READ || kind == K_WRITE || kind == K_CLOSE) fd = syscall_arg(ctx, ARG0_OFF);
    else if (kind == K_DUP) fd = syscall_arg(ctx, ARG1_OFF);
    else if (kind == K_XFER01) {
        fd = syscall_arg(ctx, ARG0_OFF);
        fd2 = syscall_arg(ctx, ARG1_OFF);
    } else if (kind == K_XFER20) {
        fd = syscall_arg(ctx, ARG2_OFF);
        fd2 = syscall_arg(ctx, ARG0_OFF);
    }
    u64 uaddr = 0;
    if (kind == K_FUTEX) {
        uaddr = syscall_arg(ctx, ARG0_OFF);
        fd = syscall_arg(ctx, ARG1_OFF) & 127;  // FUTEX_CMD_MASK: the operation
        fd2 = syscall_arg(ctx, ARG3_OFF) != 0;
    }
    if (kind == K_CLOSE || kind == K_DUP) fd_closed(fd);
    if (kind == K_OPEN0 || kind == K_OPEN1 || kind == K_CHDIR || kind == K_FCHDIR)
        remember_path(ctx, (u32)id, nr, kind);
    else if (kind == K_STAT0 || kind == K_STAT1)
        uaddr = syscall_arg(ctx, kind == K_STAT1 ? ARG1_OFF : ARG0_OFF);
    else if (kind >= K_TMO_MS2 && kind <= K_TMO_CLK)
        count_timeout(ctx, (u32)id, nr, kind);
    u32 shift = *cfg & 31;
    s->tid = (u32)id;
    s->nr = nr;
    s->fd = fd < 0 || fd > 0x7fffffff ? -1 : fd;
    s->fd2 = fd2 < 0 || fd2 > 0x7fffffff ? -1 : fd2;
    s->kind = kind;
    s->shift = shift;
    s->own = own;
    s->uaddr = uaddr;
    if ((*c & ((1ULL << shift) - 1)) == 0) {
        s->flags = F_LIVE | F_TIMED;
        s->ts = bpf_ktime_get_ns();
    } else {
        s->flags = F_LIVE;
        s->ts = 0;
    }
    if (kind == K_CLOSERANGE) tails.call(ctx, TAIL_CLOSE_RANGE);  // (does not return)
#endif
    return 0;
}

#ifdef FULL
TRACEPOINT_PROBE(sched, sched_switch) {
    u32 zero = 0;
    struct slot *s = cur.lookup(&zero);
    if (!s || !(s->flags & F_LIVE) || s->tid != (u32)args->prev_pid) return 0;
    if (!s->ts) s->ts = bpf_ktime_get_ns();
    s->flags |= F_BLOCKED;
    u32 tid = s->tid;
    parked.update(&tid, s);
    s->flags = 0;
    return 0;
}

// ``ret`` bytes moved through ``fd``: read (dir 0) or written (dir 1), by TGID (``own``)
// or by one of its descendants (process ``tgid``).
static __always_inline void count_bytes(s32 fd_signed, u32 dir, long ret, u8 own, u32 tgid) {
    u32 b = dir * NSLOT + log2_bucket(ret);
    u64 *h = iosize.lookup(&b);
    if (h) (*h)++;
#ifdef TREE
    struct pstat *ps = pstat_of(tgid);
    if (ps) {
        if (dir == 0) { ps->rbytes += ret; ps->reads++; }
        else { ps->wbytes += ret; ps->writes++; }
    }
    if (!own) return;
#endif
    fd_used(fd_signed);
    u32 fd = fd_signed;
    if (fd < FDFAST) {
        struct fdval *v = fdio.lookup(&fd);
        if (!v) return;
        if (dir == 0) { __sync_fetch_and_add(&v->rbytes, ret); __sync_fetch_and_add(&v->reads, 1); }
        else { __sync_fetch_and_add(&v->wbytes, ret); __sync_fetch_and_add(&v->writes, 1); }
        return;
    }
    u32 *g = fd < FDGEN_MAX ? fdgen.lookup(&fd) : 0;
    struct fdkey key = {fd_signed, g ? *g : 0};
    struct fdval zv = {};
    struct fdval *v = files.lookup_or_try_init(&key, &zv);
    if (!v) { drop(DROP_FILES); return; }
    if (dir == 0) { v->rbytes += ret; v->reads++; }
    else { v->wbytes += ret; v->writes++; }
}

// A new fd made by syscall ``nr`` with no path (a socket, a pipe...): named by its kind.
static __always_inline void name_new(long fd, u32 nr) {
    if (fd < 0 || fd >= FDGEN_MAX) return;
    u32 zero = 0, key = fd;
    fd_used(fd);
    u32 *g = fdgen.lookup(&key);
    struct fdname *nb = namebuf.lookup(&zero);
    if (!nb) return;
    struct fdkey k = {(s32)fd, g ? *g : 0};
    nb->dirfd = -1;
    nb->nr = nr;
    nb->path[0] = 0;
    if (names.update(&k, nb)) drop(DROP_NAMES);
}

// An open (``is_open``) or a stat by thread ``tid`` of the path in ``k`` returned: counted.
static __always_inline void count_lookup(struct pathkey *k, u32 tid, u32 is_open, u32 failed) {
    if (!k->path[0]) return;  // fstat by fd (AT_EMPTY_PATH): no lookup
    k->tid = tid;
    k->pad = 0;
    struct pathval zv = {};
    struct pathval *v = pathops.lookup_or_try_init(k, &zv);
    if (!v) {
        u32 i = (is_open ? 0 : 1) + (failed ? 2 : 0);
        u64 *o = pathother.lookup(&i);
        if (o) (*o)++;
        if (failed) {  // a failed lookup counts as one of its kind too
            i -= 2;
            o = pathother.lookup(&i);
            if (o) (*o)++;
        }
        drop(DROP_PATHS);
        return;
    }
    if (is_open) {
        v->opens++;
        if (failed) v->open_fails++;
    } else {
        v->stats++;
        if (failed) v->stat_fails++;
    }
}

// An open returned: its path (read at its entry, for naming the fd) counted.
static __always_inline void open_done(u32 tid, struct fdname *p, u32 failed) {
    u32 zero = 0;
    struct pathkey *k = pathkeybuf.lookup(&zero);
    if (!k) return;
    __builtin_memcpy(k->path, p->path, sizeof(k->path));
    count_lookup(k, tid, 1, failed);
}

// A stat-like call returned: its path read again from the caller's memory (unchanged: it
// is the caller's argument), so the entry needs no per-thread table.
static __always_inline void stat_done(u32 tid, u64 path, long ret) {
    u32 zero = 0;
    struct pathkey *k = pathkeybuf.lookup(&zero);
    if (!k) return;
    // Zeroed, not just cut at the end: the bytes past the path's end are part of the key.
    __builtin_memset(k->path, 0, sizeof(k->path));
    if (bpf_probe_read_user_str(k->path, sizeof(k->path), (void *)path) <= 0) return;
    count_lookup(k, tid, 0, ret < 0);
}

// A futex call returned: a wait (how long it blocked, whether it timed out) or a wake.
static __always_inline void futex_done(struct slot *m, u32 tid, long ret, u64 ns) {
    u32 op = m->fd;
    u32 wait = op == 0 || op == 9 || op == 6 || op == 11 || op == 13;  // WAIT, _BITSET, LOCK_PI..
    u32 wake = op == 1 || op == 10 || op == 7 || op == 5 || op == 3 || op == 4;
    if (!wait && !wake) return;
    struct fxkey k = {m->uaddr, tid, 0};
    struct fxval zv = {};
    struct fxval *v = futexes.lookup_or_try_init(&k, &zv);
    if (!v) return;
    if (wait) {
        v->waits++;
        v->wait_ns += ns;
        v->timed += m->fd2 > 0;
        v->timeouts += ret == -110;  // ETIMEDOUT
    } else {
        v->wakes++;
        if (ret > 0) v->woken += ret;
    }
}

// At the exit of a call that made fd ``ret`` (or failed: ret < 0): record what it is.
static __always_inline void name_fd(u32 tid, u32 nr, u8 kind, long ret) {
    if (kind == K_NEWFD) {
        name_new(ret, nr);
        return;
    }
    struct fdname *p = opening.lookup(&tid);
    if (!p) return;  // its path could not be read: user space asks /proc instead
    open_done(tid, p, ret < 0);
    if (ret >= 0 && ret < FDGEN_MAX) {
        u32 fd = ret;
        fd_used(ret);
        u32 *g = fdgen.lookup(&fd);
        struct fdkey k = {(s32)ret, g ? *g : 0};
        if (names.update(&k, p)) drop(DROP_NAMES);
    }
    opening.delete(&tid);
}

// At the exit of pipe/socketpair: the two fds it wrote to user memory.
static __always_inline void name_pair(struct bpf_raw_tracepoint_args *ctx, u32 nr, u8 kind) {
    int fds[2] = {-1, -1};
    long at = syscall_arg(ctx, kind == K_PAIR0 ? ARG0_OFF : ARG3_OFF);
    if (bpf_probe_read_user(fds, sizeof(fds), (void *)at)) return;
    name_new(fds[0], nr);
    name_new(fds[1], nr);
}

// At the exit of a chdir/fchdir: a new working directory, numbered, when it worked.
static __always_inline void new_cwd(u32 tid, long ret) {
    struct fdname *p = opening.lookup(&tid);
    if (!p) return;
    u32 zero = 0;
    u32 *cg = cwdgen.lookup(&zero);
    if (ret == 0 && cg) {
        // (not the atomic's return value: it needs BPF atomics, -mcpu=v3; two threads
        // changing directory at the same instant is a race the target has already lost)
        __sync_fetch_and_add(cg, 1);
        u32 next = *cg;
        struct fdkey k = {-1, next};
        if (names.update(&k, p)) drop(DROP_NAMES);
    }
    opening.delete(&tid);
}

int on_sys_exit(struct bpf_raw_tracepoint_args *ctx) {
    u64 id = bpf_get_current_pid_tgid();
    if (!IS_WATCHED(id >> 32)) return 0;
    u32 zero = 0, tid = (u32)id;
    struct slot *s = cur.lookup(&zero);
    if (!s) return 0;
    struct slot mine;
    if ((s->flags & F_LIVE) && s->tid == tid) {
        mine = *s;
        s->flags = 0;
    } else {
        struct slot *p = parked.lookup(&tid);
        if (!p) return 0;  // entered before we attached, or an x32 call
        mine = *p;
        parked.delete(&tid);
        if (!(mine.flags & F_LIVE)) return 0;
    }
    u32 nr = mine.nr;
    if (nr >= MAX_NR) return 0;
    u64 weight = mine.flags & F_BLOCKED ? 1 : mine.flags & F_TIMED ? 1ULL << mine.shift : 0;
    u64 ns = 0;
    if (weight) {
        ns = bpf_ktime_get_ns() - mine.ts;
        u32 idx = nr * NSLOT + log2_bucket(ns);
        u64 *h = lat.lookup(&idx);
        if (h) *h += weight;
        u64 *t = nsum.lookup(&nr);
        if (t) *t += ns * weight;
    }
    long ret = ctx->args[1];
    u32 failed = ret < 0 && ret >= -4095;
    if (weight || failed) {
        struct tkey tk = {tid, nr};
        struct tval tz = {.tgid = id >> 32};
        struct tval *tv = bythread.lookup_or_try_init(&tk, &tz);
        if (tv) {
            tv->calls += weight;
            tv->ns += ns * weight;
            tv->errors += failed;
        }
    }
    if (mine.kind == K_OPEN0 || mine.kind == K_OPEN1 || mine.kind == K_NEWFD)
        name_fd(tid, nr, mine.kind, failed ? -1 : ret);
    else if ((mine.kind == K_PAIR0 || mine.kind == K_PAIR3) && ret == 0)
        name_pair(ctx, nr, mine.kind);
    else if (mine.kind == K_CHDIR || mine.kind == K_FCHDIR)
        new_cwd(tid, ret);
    else if (mine.kind == K_STAT0 || mine.kind == K_STAT1)
        stat_done(tid, mine.uaddr, ret);
    else if (mine.kind == K_FUTEX)
        futex_done(&mine, tid, ret, ns * weight);
    if (failed) {
        struct errkey ek = {nr, (u32)-ret};
        u64 z = 0;
        u64 *e = errs.lookup_or_try_init(&ek, &z);
        if (e) (*e)++;
        else drop(DROP_ERRS);
    } else if (ret > 0 && mine.fd >= 0) {
        u32 tgid = id >> 32;
        if (mine.kind == K_READ || mine.kind == K_WRITE) {
            count_bytes(mine.fd, mine.kind == K_READ ? 0 : 1, ret, mine.own, tgid);
        } else if (mine.kind == K_XFER01 || mine.kind == K_XFER20) {
            count_bytes(mine.fd, 1, ret, mine.own, tgid);
            if (mine.fd2 >= 0) count_bytes(mine.fd2, 0, ret, mine.own, tgid);
        }
    } else if (ret == 0 && mine.kind == K_EXEC) {
        tails.call(ctx, TAIL_EXEC);  // (does not return)
    }
    return 0;
}

// Ends the generations of fds scanning.next .. scanning.end - 1, SCAN_STEP per run.
int on_scan(struct bpf_raw_tracepoint_args *ctx) {
    u32 zero = 0;
    struct scan *sc = scanning.lookup(&zero);
    if (!sc) return 0;
    u32 first = sc->next, end = sc->end;
    for (u32 i = 0; i < SCAN_STEP; i++) {
        if (first + i >= end) return 0;
        fd_closed(first + i);
    }
    sc->next = first + SCAN_STEP;
    tails.call(ctx, TAIL_SCAN);  // the kernel stops the chain after 33 tail calls
    return 0;
}

static __always_inline void scan(struct bpf_raw_tracepoint_args *ctx, u32 first, u32 last) {
    u32 zero = 0;
    struct scan *sc = scanning.lookup(&zero);
    u32 *top = fdtop.lookup(&zero);
    if (!sc || !top) return;
    sc->next = first;
    sc->end = last < *top ? last + 1 : *top;
    tails.call(ctx, TAIL_SCAN);
}

// Tail-called from on_sys_enter at close_range(first, last, flags): it closes the range,
// unless CLOSE_RANGE_CLOEXEC (4) asks only to mark it close-on-exec.
int on_close_range(struct bpf_raw_tracepoint_args *ctx) {
    if (!(syscall_arg(ctx, ARG2_OFF) & 4))
        scan(ctx, (u32)syscall_arg(ctx, ARG0_OFF), (u32)syscall_arg(ctx, ARG1_OFF));
    return 0;
}

// Tail-called from on_sys_exit after a successful exec.
int on_exec(struct bpf_raw_tracepoint_args *ctx) {
    scan(ctx, 0, 0xffffffff);
    return 0;
}
#ifdef NET
// Bytes per socket, keyed by the kernel's socket address (an opaque id here).  The fd comes
// from the syscall in flight on this thread, for user space to find the socket's inode.
struct conn {
    u64 sent;
    u64 recv;
    u64 sends;
    u64 recvs;
    u64 opened_ns;  // connect() seen (0: before we attached, or accepted)
    u64 closed_ns;  // reached TCP_CLOSE
    s32 fd;
    u16 family;
    u16 protocol;
    u16 sport;
    u16 dport;
    u8 state;       // TCP state, 0 until a state change was seen
    u8 has_addr;
    u8 pad[2];
    u8 saddr[16];
    u8 daddr[16];
};
// Keyed by (socket address, generation): a socket's address is reused once it is freed,
// and a new socket there must not add to (or, deleted by user space meanwhile, lose) the
// closed one's counts.  The generation moves on when a TCP socket reaches CLOSE.
struct connkey { u64 sk; u32 gen; u32 pad; };
BPF_HASH(conns, struct connkey, struct conn, 4096);
BPF_TABLE("lru_hash", u64, u32, skgen, 8192);

static __always_inline struct connkey key_of(u64 sk) {
    u32 *g = skgen.lookup(&sk);
    struct connkey k = {sk, g ? *g : 0, 0};
    return k;
}

// The fd of the read/write-like syscall this thread is in (for a transfer, the side written
// when ``out``, else the side read), or -1.  A call that waited (a
// server blocked in recv until its client sends) has its slot parked by sched_switch.
static __always_inline s32 inflight_fd(u32 out) {
    u32 zero = 0, tid = (u32)bpf_get_current_pid_tgid();
    struct slot *s = cur.lookup(&zero);
    if (!s || !(s->flags & F_LIVE) || s->tid != tid)
        s = parked.lookup(&tid);
    if (!s || !(s->flags & F_LIVE) || !s->own) return -1;  // (user space reads TGID's fds)
    if (s->kind == K_READ || s->kind == K_WRITE) return s->fd;
    if (s->kind == K_XFER01 || s->kind == K_XFER20) return out ? s->fd : s->fd2;
    return -1;
}

static __always_inline struct conn *conn_of(u64 sk, u16 family, u16 protocol, u32 out) {
    struct connkey key = key_of(sk);
    struct conn *c = conns.lookup(&key);
    if (c) {
        if (c->fd < 0)  // first seen outside such a call: user space still needs an fd
            c->fd = inflight_fd(out);
        return c;
    }
    struct conn fresh = {};
    fresh.family = family;
    fresh.protocol = protocol;
    fresh.fd = inflight_fd(out);
    if (conns.insert(&key, &fresh)) {
        c = conns.lookup(&key);  // another CPU inserted it first, or the table is full
        if (!c) drop(DROP_CONNS);
        return c;
    }
    return conns.lookup(&key);
}

TRACEPOINT_PROBE(sock, sock_send_length) {
    if (!IS_WATCHED(bpf_get_current_pid_tgid() >> 32) || args->ret <= 0) return 0;
    struct conn *c = conn_of((u64)args->sk, args->family, args->protocol, 1);
    if (!c) return 0;
    __sync_fetch_and_add(&c->sent, args->ret);
    __sync_fetch_and_add(&c->sends, 1);
    return 0;
}

TRACEPOINT_PROBE(sock, sock_recv_length) {
    // MSG_PEEK (2) leaves the data queued: it will be received (and counted) again
    if (!IS_WATCHED(bpf_get_current_pid_tgid() >> 32) || args->ret <= 0 || (args->flags & 2))
        return 0;
    struct conn *c = conn_of((u64)args->sk, args->family, args->protocol, 0);
    if (!c) return 0;
    __sync_fetch_and_add(&c->recv, args->ret);
    __sync_fetch_and_add(&c->recvs, 1);
    return 0;
}

#define PROTO_TCP 6
#define FAMILY_INET 2
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7

TRACEPOINT_PROBE(sock, inet_sock_set_state) {
    if (args->protocol != PROTO_TCP) return 0;
    u64 sk = (u64)args->skaddr;
    struct connkey key = key_of(sk);
    struct conn *c = conns.lookup(&key);
    if (!c) {
        // Many changes run in softirq context, on behalf of whatever task the CPU was
        // running: over loopback, the target's close delivers the FIN to its peer's socket
        // while the target is current.  So only a socket already known, or the target's
        // own connect() (CLOSE -> SYN_SENT, never in softirq), is ours.
        if (!IS_WATCHED(bpf_get_current_pid_tgid() >> 32) || args->oldstate != TCP_CLOSE
                || args->newstate != TCP_SYN_SENT)
            return 0;
        c = conn_of(sk, args->family, args->protocol, 1);
        if (!c) return 0;
    }
    c->family = args->family;
    c->sport = args->sport;
    c->dport = args->dport;
    if (args->family == FAMILY_INET) {
        __builtin_memcpy(c->saddr, args->saddr, 4);
        __builtin_memcpy(c->daddr, args->daddr, 4);
    } else {
        __builtin_memcpy(c->saddr, args->saddr_v6, 16);
        __builtin_memcpy(c->daddr, args->daddr_v6, 16);
    }
    c->has_addr = 1;
    c->state = args->newstate;
    if (args->oldstate == TCP_CLOSE && args->newstate == TCP_SYN_SENT)
        c->opened_ns = bpf_ktime_get_ns();
    if (args->newstate == TCP_CLOSE) {
        c->closed_ns = bpf_ktime_get_ns();
        u32 next = key.gen + 1;  // the next socket at this address is another connection
        skgen.update(&sk, &next);
    }
    return 0;
}
#endif  // NET
#endif  // FULL
