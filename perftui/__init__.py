"""perftui: a terminal UI that shows where one live process spends its time, memory and I/O."""

__version__ = "0.1.0"
