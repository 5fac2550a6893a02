"""A process that names itself argv[1] (its comm) and carries terminal escapes in argv[2].

Prints ``ready`` once named, then sleeps until killed.  Used to check that nothing a target
chooses about itself reaches the terminal of the person watching it.
"""

from __future__ import annotations

import ctypes
import sys
import time

PR_SET_NAME = 15

ctypes.CDLL(None).prctl(PR_SET_NAME, sys.argv[1].encode()[:15], 0, 0, 0)
print("ready", flush=True)
while True:
    time.sleep(0.05)
