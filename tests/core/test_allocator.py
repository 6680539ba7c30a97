"""core.allocator: glibc only, never an error elsewhere."""

from __future__ import annotations

import os

from qwen_studio.core import allocator


def test_other_c_libraries_are_left_alone(monkeypatch):
    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(os, "confstr", lambda name: "musl 1.2")
    assert allocator.use_mmap_for_large_blocks() is False
    assert allocator.applied() is False

    def no_confstr(name: str) -> str:
        raise ValueError("unrecognized configuration name")

    monkeypatch.setattr(os, "confstr", no_confstr)
    assert allocator.use_mmap_for_large_blocks() is False
