/* Target for lock_contention: THREADS threads (named "worker") each take one shared mutex,
 * hold it ~20 us, release it, and work ~5 us on their own, for SECONDS.  With "good" each
 * thread has a mutex of its own (the same work, no queueing).
 * Usage: lock_contended SECONDS [good] */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#define THREADS 3

static pthread_mutex_t shared = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t own[THREADS];
static int good;
static double seconds;
static volatile unsigned long sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void spin(unsigned n) {
    for (unsigned i = 0; i < n; i++) sink += i;
}

static void *worker(void *arg) {
    pthread_mutex_t *m = good ? &own[(long)arg] : &shared;
    double end = now() + seconds;
    while (now() < end) {
        pthread_mutex_lock(m);
        spin(20000);  /* ~20 us held */
        pthread_mutex_unlock(m);
        spin(5000);
    }
    return 0;
}

int main(int argc, char **argv) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  /* never outlive a test */
    seconds = argc > 1 ? atof(argv[1]) : 5.0;
    good = argc > 2 && strcmp(argv[2], "good") == 0;
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) {
        pthread_mutex_init(&own[i], 0);
        pthread_create(&t[i], 0, worker, (void *)i);
        pthread_setname_np(t[i], "worker");
    }
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], 0);
    return 0;
}
