"""The header and the panes of the main view: one widget per module."""
