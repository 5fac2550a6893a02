"""The host around the target: finding it, the demo, probe selection, doctor and its checks."""
