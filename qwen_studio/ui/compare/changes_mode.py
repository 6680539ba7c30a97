"""The compare view's Changes mode: every changed pixel in red over the grey original.

For a region edit it shows at a glance that nothing outside the region moved. The heatmap
is core's `changes_heatmap` on the two images as shown, computed in the shared pool band by
band (a 24 MP comparison takes a few hundred ms, the GIL held ~1 ms at a time); the canvas
paints it as one pane, and a caption gives the count of changed pixels and where they are.
Red means a region's changes: when every pixel changed (a whole-image edit, an answer of
another size) the pane shows the result as it is and the caption says the whole image
changed, not a red block the size of the photo that reads as a region covering it all.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QImage

from qwen_studio.ui import image_loading as il
from qwen_studio.ui.compare.image_canvas import ImageCanvas

if TYPE_CHECKING:  # Pillow loads in the pool only
    from PIL.Image import Image as PILImage

    from qwen_studio.core.anon_memory import AnonBuffer

log = logging.getLogger(__name__)

Box = tuple[int, int, int, int]
# Changed pixels past this share of the photo: the whole image was redrawn (a model's answer
# may leave a few pixels exactly as they were, pure blacks say).
WHOLE_IMAGE_SHARE = 0.95


def _to_pil(image: QImage):
    # From the QImage's own bytes: Qt's convertToFormat and a bytes() copy of 24 MP held
    # the GIL in the pool for ~100 ms together (image_loading.to_pillow does not).
    pil = il.to_pillow(image)
    return pil if pil.mode == "RGB" else pil.convert("RGB")


def compute_changes(before: QImage, after: QImage) -> tuple[QImage, int, Box | None]:
    """The heatmap (before's size), the number of changed pixels and their box. An after
    of another size (a whole-image edit's ~1 MP answer) is scaled to the before first, so
    almost everything shows as changed, which is the truth of such an edit. Pool only.

    Band by band and in anonymous memory (core/changes_map.py): on 24 MP the whole-image
    chops held the GIL ~250 ms, and freeing full-size Pillow images holds it too."""
    from PIL import Image

    from qwen_studio.core.changes_map import changes_heatmap
    from qwen_studio.core.display_image import resize_into, smaller_copies
    from qwen_studio.core.image_open import mapped_image

    b, a = _to_pil(before), _to_pil(after)
    if a.size != b.size:
        scaled = mapped_image(b.size, "RGB")[1]
        resize_into(scaled, a, Image.Resampling.BILINEAR)
        a = scaled
    buf, heat = mapped_image(b.size, "RGB")  # R, G, B, 255: Qt's RGBX8888, no copy
    _, count, box = changes_heatmap(b, a, heat)
    # The smaller copies the canvas paints a fitted map from, as a decoded photo has them:
    # without them the canvas halves the full-size map on the GUI thread (~70 ms a paint).
    levels = smaller_copies(heat, il.DISPLAY_LEVEL_SIDES, il.SMALLEST_LEVEL_SIDE,
                            il.LEVEL_MIN_RATIO)
    out = il.DecodedImage(_rgbx(buf, heat))
    out.levels = tuple(_rgbx(lb, level) for lb, level in levels)
    return out, count, box


def _rgbx(buf: AnonBuffer, im: PILImage) -> QImage:
    """A QImage over a mapped RGB image's memory (R, G, B, 255 a pixel): nothing copied."""
    return QImage(memoryview(buf), im.width, im.height, im.width * 4,
                  QImage.Format.Format_RGBX8888)


class ChangesMode(QObject):
    """Keeps the canvas's heatmap in step with the images while the mode is on."""

    changed = Signal()  # a new caption (computed, or cleared)
    _computed = Signal(int, object)  # from the pool: (token, Future)

    def __init__(self, canvas: ImageCanvas, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._canvas = canvas
        self._token = 0
        self.count: int | None = None  # changed pixels of the shown pair (None: not yet)
        self.box: Box | None = None
        self.whole = False  # every pixel of the shown pair changed
        self._after: QImage | None = None
        self._computed.connect(self._on_computed)

    def update(self, on: bool, before: QImage | None, after: QImage | None) -> None:
        """The mode or the images changed: recompute (in the pool) or drop the heatmap."""
        self._token += 1
        self.count, self.box, self.whole, self._after = None, None, False, after
        self._canvas.set_changes(None)
        self.changed.emit()
        if not on or before is None or after is None:
            return
        token = self._token
        future = il.executor().submit(compute_changes, before, after)
        future.add_done_callback(lambda f: self._computed.emit(token, f))

    def _on_computed(self, token: int, future: Future[tuple[QImage, int, Box | None]]) -> None:
        if token != self._token or future.cancelled():
            return
        try:
            heat, count, box = future.result()
        except Exception as exc:  # a view aid: say nothing changed is unknown, never crash
            log.warning("changes heatmap failed: %r", exc)
            return
        self.count, self.box = count, box
        self.whole = count >= WHOLE_IMAGE_SHARE * heat.width() * heat.height()
        shown = self._after if self.whole and self._after is not None else heat
        self._canvas.set_changes(shown, self.caption())
        self.changed.emit()

    def caption(self) -> str:
        if self.count is None:
            return ""
        if not self.count:
            return QCoreApplication.translate("CompareView", "No pixel changed")
        if self.whole:  # "({n} pixels)": not "all", a few may have kept their value
            return QCoreApplication.translate(
                "CompareView", "The whole image changed ({n} pixels), as a whole-image edit "
                               "does").format(n=f"{self.count:,}")
        assert self.box is not None
        x0, y0, x1, y1 = self.box
        return QCoreApplication.translate(
            "CompareView", "{n} pixels changed, all within {w}×{h} at {x},{y}").format(
            n=f"{self.count:,}", w=x1 - x0, h=y1 - y0, x=x0, y=y0)
