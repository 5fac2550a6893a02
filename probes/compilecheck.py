"""The bcc compile check's child: compile, attach and count a tiny tracepoint program.

Run by ``perftui.probes.bccenv.try_compile`` in a child of its own, because libbcc can hang or
crash.
"""

from perftui.probes.bccenv import compile_child

raise SystemExit(compile_child())
