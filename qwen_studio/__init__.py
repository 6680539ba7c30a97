"""Qwen Studio: edit photos with Alibaba's Qwen image models."""

__version__ = "0.1.0"
