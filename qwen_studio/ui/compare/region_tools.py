"""RegionTools: the compare view's region mask (issue #15): the layer drawn on the "before"
photo, its controller and tool bar, and the feather beside them.

It is the editor's MaskSource (ui/editor/state.py): Run asks it for the mask drawn on the
photo the edit will change, so a mask on another photo the history shows never leaks into
an edit. The canvas hosts the tools (ui/compare/canvas_mask.py); ResultsController tells
which photo the "before" is and clears the mask for a new input.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget

from qwen_studio.core.region_spec import DEFAULT_FEATHER, MAX_FEATHER
from qwen_studio.ui import theme
from qwen_studio.ui.compare.image_canvas import ImageCanvas
from qwen_studio.ui.compare.mask_layer import MaskLayer, MaskOp
from qwen_studio.ui.compare.mask_tools import MaskController, MaskToolBar
from qwen_studio.ui.editor.state import DrawnMask

FEATHER_SPIN_CHROME = 48  # px: the spin box's frame, text inset and up/down buttons


class RegionTools(QObject):
    def __init__(self, canvas: ImageCanvas, parent: QWidget) -> None:
        super().__init__(parent)
        self.layer = MaskLayer(self)
        self.controller = MaskController(self.layer, self)
        canvas.set_mask_controller(self.controller)
        self.before_source: str | None = None  # the photo the "before" image is (its path)

        self.bar = QWidget(parent)  # the tool bar and the feather, one row under the toolbar
        self.bar.setObjectName("maskBar")
        self.toolbar = MaskToolBar(self.controller, self.bar)
        self.feather_spin = theme.inset_spin_text(QSpinBox(self.bar))
        self.feather_spin.setObjectName("featherSpin")
        self.feather_spin.setRange(0, MAX_FEATHER)
        self.feather_spin.setValue(DEFAULT_FEATHER)
        self.feather_spin.setSuffix(self.tr(" px"))
        self.feather_spin.setAccessibleName(self.tr("Feather"))
        tip = self.tr("The soft edge grown outside the region, in image pixels: beyond it "
                      "every pixel stays the original's")
        self.feather_spin.setAccessibleDescription(tip)
        self.feather_spin.setToolTip(tip)
        self.feather_spin.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # As wide as its longest value, not the ~115 px a spin box asks: the mask tools'
        # row is short of room at 1400 px (its last buttons go to the overflow).
        widest = self.feather_spin.fontMetrics().horizontalAdvance(
            f"{MAX_FEATHER}{self.feather_spin.suffix()}")
        self.feather_spin.setMaximumWidth(widest + FEATHER_SPIN_CHROME)
        label = QLabel(self.tr("Feather"), self.bar)
        label.setBuddy(self.feather_spin)
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(0, 0, 8, 0)
        row.setSpacing(6)
        row.addWidget(self.toolbar, 1)
        row.addWidget(label)
        row.addWidget(self.feather_spin)

    @property
    def feather(self) -> int:
        return self.feather_spin.value()

    def drawn_mask(self, photo: Path) -> DrawnMask | None:
        """MaskSource: the mask drawn on `photo` (shown as "before"), or None."""
        if self.layer.is_empty() or self.before_source != str(photo):
            return None
        pixels, width, height = self.layer.mask_pixels()
        return DrawnMask(pixels, width, height, self.feather)

    def clear_for_new_input(self) -> None:
        """A new input starts without a region (nothing to undo back onto another photo)."""
        self.layer.reset(QSize())

    def show_mask(self, mask: QImage | None, feather: int | None = None) -> None:
        """A recalled edit's mask on the "before" photo (one undoable step), or no region
        (a whole-image edit; a terminal rectangle is in the original's pixels, which the
        displayed photo need not be, so it is not drawn back)."""
        if feather is not None:
            self.feather_spin.setValue(feather)
        if mask is not None:
            self.layer.set_from_image(mask)
        elif not self.layer.is_empty():
            self.layer.apply(MaskOp("clear"))
