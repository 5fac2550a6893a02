"""A target for attaching: waits for a go file, then makes exactly N getppid calls and
exits after a short pause.  Usage: attach_then_exit.py GO_FILE N"""

import os
import sys
import time

go, n = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.02)
for _ in range(n):
    os.getppid()
time.sleep(0.3)
