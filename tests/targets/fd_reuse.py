"""Files that live between two samples, on reused fd numbers: fd_reuse.py DIR.
Writes DIR/f0.bin (1000 B), f1.bin (2000 B), f2.bin (3000 B) through relative paths from
DIR as the cwd, DIR/sub/g.bin (777 B) through openat(dirfd), reads f0.bin back, and sends
4321 bytes over a TCP connection to itself; every fd is closed at once."""

import os
import socket
import sys

work = sys.argv[1]
os.makedirs(os.path.join(work, "sub"), exist_ok=True)
os.chdir(work)
for i in range(3):
    fd = os.open(f"f{i}.bin", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, b"x" * (1000 * (i + 1)))
    os.close(fd)
dfd = os.open("sub", os.O_RDONLY | os.O_DIRECTORY)
fd = os.open("g.bin", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600, dir_fd=dfd)
os.write(fd, b"y" * 777)
os.close(fd)
os.close(dfd)
fd = os.open("f0.bin", os.O_RDONLY)
os.read(fd, 5000)
os.close(fd)
server = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(server.getsockname())
conn, _ = server.accept()
client.sendall(b"z" * 4321)
got = 0
while got < 4321:
    got += len(conn.recv(65536))
for s in (client, conn, server):
    s.close()
