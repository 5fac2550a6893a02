/* A target with exactly known system calls: N getppid, then M writes of K bytes to FILE,
 * then exit at once.  Usage: exact_calls N M K FILE */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    long n = atol(argv[1]), m = atol(argv[2]), k = atol(argv[3]);
    static char buf[1 << 16];
    if (k > (long)sizeof buf) return 2;
    memset(buf, 'x', sizeof buf);
    for (long i = 0; i < n; i++) getppid();
    int fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return 3;
    for (long i = 0; i < m; i++)
        if (write(fd, buf, k) != k) return 4;
    close(fd);
    return 0;
}
