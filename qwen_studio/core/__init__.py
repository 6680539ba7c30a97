"""The engine of Qwen Studio. Nothing in this package imports Qt widgets."""
