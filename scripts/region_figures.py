"""Figures for docs/region-edits.md: the mask tools offscreen, and the changed pixels of a
region edit (the data the compare view's Changes mode shows) over the original.

    QT_QPA_PLATFORM=offscreen python scripts/region_figures.py
"""

from __future__ import annotations

import base64
import io
import os
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from qwen_studio.core.region import changed_pixels, composite, plan_region
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.sandbox import render

DOCS = Path(__file__).resolve().parents[1] / "docs"


def photo(size: tuple[int, int] = (1800, 1200)) -> Image.Image:
    w, h = size
    sky = Image.linear_gradient("L").resize(size)
    im = Image.merge("RGB", (sky.point(lambda v: 90 + v // 3), sky.point(lambda v: 140 + v // 4),
                             Image.new("L", size, 220)))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, h * 2 // 3, w, h), fill=(70, 110, 60))
    draw.ellipse((650, 380, 1150, 880), fill=(230, 190, 70))
    draw.rectangle((1250, 500, 1550, 900), fill=(150, 60, 50))
    noise = Image.effect_noise(size, 20).convert("RGB")
    return Image.blend(im.filter(ImageFilter.GaussianBlur(1.5)), noise, 0.08)


def mask_tools_shot(path: Path) -> Image.Image:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

    from qwen_studio.ui.compare.mask_layer import MaskLayer, MaskOp
    from qwen_studio.ui.compare.mask_tools import MaskController, MaskToolBar
    from qwen_studio.ui.compare.mask_view import MaskView

    app = QApplication.instance() or QApplication(sys.argv)
    pad = QWidget()
    layer = MaskLayer(pad)
    controller = MaskController(layer, pad)
    bar = MaskToolBar(controller, pad)
    view = MaskView(controller, pad)
    box = QVBoxLayout(pad)
    box.addWidget(bar)
    box.addWidget(view)
    pad.resize(1000, 720)
    pad.show()
    view.set_image(QImage(str(path)))
    controller.set_tool("brush")
    controller.set_size(110)
    layer.begin_stroke(QPointF(700, 600), erase=False, size=110, hardness=0.8)
    for x, y in ((800, 520), (900, 480), (1000, 520), (1100, 620)):
        layer.extend_stroke(QPointF(x, y))
    layer.end_stroke()
    layer.apply(MaskOp("lasso", ((1230, 480), (1580, 470), (1590, 930), (1240, 920))))
    app.processEvents()
    shot = pad.grab().toImage()
    buf = QImage(shot)
    out = DOCS / "region-mask-tools.png"
    buf.save(str(out))
    data, w, h = layer.mask_pixels()
    pad.close()
    return Image.frombytes("L", (w, h), data)


def changes_figure(path: Path, mask: Image.Image) -> None:
    from qwen_studio.core.region import mask_png

    data, sha = mask_png(mask)
    plan = plan_region(path, RegionSpec(mask_sha256=sha, feather=16), mask=data)
    assert plan is not None
    sent = Image.open(io.BytesIO(base64.b64decode(plan.prepared.data_uri.split(",", 1)[1])))
    answer = render.render("qwen-image-edit-plus", [sent.convert("RGB")], "make it blue", 1, 0,
                           1, plan.ask_size)
    out = Image.open(io.BytesIO(composite(plan, answer))).convert("RGB")
    original = Image.open(path).convert("RGB")
    changed = changed_pixels(original, out)
    heat = original.convert("L").convert("RGB")
    heat.paste((255, 40, 80), (0, 0), changed.point(lambda v: v * 3 // 4))
    w, h = original.size
    # Left: the composite (the sandbox's tinted "edit" inside the mask); right: every pixel
    # that differs from the original, in red over a grey original.
    figure = Image.new("RGB", (w + 30, h // 2 + 20), (40, 40, 40))
    figure.paste(out.resize((w // 2, h // 2)), (10, 10))
    figure.paste(heat.resize((w // 2, h // 2)), (w // 2 + 20, 10))
    figure.save(DOCS / "region-changes.png", optimize=True)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.png"
        photo().save(path)
        mask = mask_tools_shot(path)
        changes_figure(path, mask)
    print("wrote", DOCS / "region-mask-tools.png", DOCS / "region-changes.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
