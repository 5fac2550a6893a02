/* Target with a known native CPU profile: 75% in hot_a, 25% in hot_b (the same loop body,
 * 3 000 000 and 1 000 000 times per round).  Prints "ready", then spins until killed; dies
 * with its parent.  Built by tests/probes/test_probe_stacks.py with frame pointers. */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>

volatile unsigned long sink;

/* Called once per loop so hot_a and hot_b are not leaf functions: gcc 12 sets up no frame in
 * a leaf that needs none, even with -fno-omit-frame-pointer, and the kernel's walk from such
 * a leaf would skip its caller (main). */
__attribute__((noinline)) void done(void) { sink++; }

__attribute__((noinline)) void hot_a(void) {
    for (unsigned long i = 0; i < 3000000; i++)
        sink += i * i;
    done();
}

__attribute__((noinline)) void hot_b(void) {
    for (unsigned long i = 0; i < 1000000; i++)
        sink += i * i;
    done();
}

int main(void) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        hot_a();
        hot_b();
    }
}
