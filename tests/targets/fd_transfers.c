/* Transfers and mass closes with known byte counts, in a directory DIR:
 *   src.bin       SRC bytes written, then read back by sendfile, copy_file_range, splice
 *   sendfile.bin  SRC bytes from sendfile(2)
 *   copy.bin      SRC bytes from copy_file_range(2)
 *   splice.bin    SRC bytes from splice(2), through a pipe
 *   before_range.bin 100 bytes, closed by close_range(2); after_range.bin 200 bytes on its fd
 *   cloexec.bin   50 bytes, open O_CLOEXEC across an exec of this program;
 *   after_exec.bin 70 bytes, opened by the new image on the number cloexec.bin had
 * Usage: fd_transfers DIR   (the exec'd image runs with a second argument "after-exec") */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SRC 300000

static char path[4096];
static const char *in(const char *dir, const char *name) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static int fill(int fd, long n) {
    static char buf[1 << 14];
    memset(buf, 'y', sizeof buf);
    while (n > 0) {
        long k = n < (long)sizeof buf ? n : (long)sizeof buf;
        if (write(fd, buf, k) != k) return -1;
        n -= k;
    }
    return 0;
}

static int make(const char *dir, const char *name, int flags) {
    return open(in(dir, name), O_WRONLY | O_CREAT | O_TRUNC | flags, 0600);
}

static int after_exec(const char *dir) {
    int fd = make(dir, "after_exec.bin", 0);
    return fd < 0 || fill(fd, 70) || close(fd) ? 20 : 0;
}

int main(int argc, char **argv) {
    if (argc == 3) return after_exec(argv[1]);
    if (argc != 2) return 2;
    const char *dir = argv[1];
    int src = open(in(dir, "src.bin"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (src < 0 || fill(src, SRC)) return 3;

    int out = make(dir, "sendfile.bin", 0);
    off_t off = 0;
    for (long left = SRC; left > 0;) {
        ssize_t n = sendfile(out, src, &off, left);
        if (n <= 0) return 4;
        left -= n;
    }
    close(out);

    out = make(dir, "copy.bin", 0);
    loff_t from = 0;
    for (long left = SRC; left > 0;) {
        ssize_t n = copy_file_range(src, &from, out, NULL, left, 0);
        if (n <= 0) return 5;
        left -= n;
    }
    close(out);

    int p[2];
    if (pipe(p)) return 6;
    out = make(dir, "splice.bin", 0);
    from = 0;
    for (long left = SRC; left > 0;) {
        ssize_t n = splice(src, &from, p[1], NULL, left < 65536 ? left : 65536, 0);
        if (n <= 0) return 7;
        for (ssize_t m = n; m > 0;) {
            ssize_t k = splice(p[0], NULL, out, NULL, m, 0);
            if (k <= 0) return 8;
            m -= k;
        }
        left -= n;
    }
    close(out);
    close(p[0]);
    close(p[1]);
    close(src);

    int a = make(dir, "before_range.bin", 0);
    if (a < 0 || fill(a, 100)) return 9;
    if (syscall(SYS_close_range, a, a, 0)) return 10;
    int b = make(dir, "after_range.bin", 0);
    if (b != a || fill(b, 200)) return 11;
    close(b);

    int c = make(dir, "cloexec.bin", O_CLOEXEC);
    if (c < 0 || fill(c, 50)) return 12;
    char *args[] = {argv[0], argv[1], "after-exec", NULL};
    execv("/proc/self/exe", args);
    return 13;
}
