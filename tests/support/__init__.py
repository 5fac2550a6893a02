"""Helpers shared by the test modules: generated frames, probe runners, screen reading, tmux,
paths and skip markers.  Test modules import from here, never from one another."""
