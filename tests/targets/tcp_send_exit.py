"""Sends known bytes over TCP to PORT on 127.0.0.1 and exits: one connection that lives
the whole run, and short ones opened and closed between two samples.  Prints "sent N".
Usage: tcp_send_exit.py PORT SECONDS"""

import socket
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
chunk = b"z" * 10_000
sent = 0
long_lived = socket.create_connection(("127.0.0.1", port))
t0 = time.monotonic()
while time.monotonic() - t0 < seconds:
    long_lived.sendall(chunk)
    sent += len(chunk)
    with socket.create_connection(("127.0.0.1", port)) as short:
        short.sendall(chunk[:777])
        sent += 777
    time.sleep(0.01)
long_lived.sendall(chunk)  # the last bytes, just before the exit closes the socket
sent += len(chunk)
print(f"sent {sent}", flush=True)
