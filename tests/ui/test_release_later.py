"""release_later hands big images to the pool to free; nothing to free is no pool job (a new
photo resets the mask, which is almost never drawn on: its empty raster is not a job)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from qwen_studio.ui import image_loading as il
from qwen_studio.ui.compare.mask_layer import MaskLayer, MaskOp


class _Pool:
    def __init__(self) -> None:
        self.jobs = 0

    def submit(self, fn) -> None:
        self.jobs += 1
        fn()


def test_only_something_to_free_is_a_pool_job(qapp, monkeypatch):
    pool = _Pool()
    monkeypatch.setattr(il, "executor", lambda: pool)
    layer = MaskLayer()
    for _ in range(3):  # photos added, none drawn on
        layer.reset(QSize(6000, 4000))
    il.release_later([None, QImage(), []])
    assert pool.jobs == 0
    layer.apply(MaskOp("rect", ((10.0, 10.0), (500.0, 500.0))))
    layer.reset(QSize(6000, 4000))  # the drawn raster is freed in the pool
    assert pool.jobs == 1
