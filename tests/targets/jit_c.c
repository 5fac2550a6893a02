/* Target standing in for a JIT: it copies a spin loop into an anonymous executable mapping,
 * names that code in /tmp/perf-PID.map (the convention JITs such as V8, the JVM's agents and
 * LuaJIT follow), prints "ready" and runs the copied code until killed.  The stack sampler must
 * label the samples with the map's name, since no ELF file covers that memory.  x86-64 only. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* add $1, %rax ; jmp back to the add: a loop that never leaves the mapping */
static const unsigned char SPIN[] = {0x48, 0x83, 0xc0, 0x01, 0xeb, 0xfa};

int main(void) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    size_t size = 4096;
    unsigned char *code = mmap(NULL, size, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 1;
    memcpy(code, SPIN, sizeof SPIN);
    if (mprotect(code, size, PROT_READ | PROT_EXEC) != 0) return 1;
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
    FILE *map = fopen(path, "w");
    if (!map) return 1;
    fprintf(map, "%lx %zx jitted_spin_loop\n", (unsigned long)code, sizeof SPIN);
    fclose(map);
    printf("ready\n");
    fflush(stdout);
    ((void (*)(void))code)();
    return 0;
}
