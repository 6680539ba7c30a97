"""The mask tools driven like a user, offscreen: keys pick tools, the pointer paints in the
photo's own coordinates, undo/redo/invert/clear work, and the drawn mask runs a region edit
through the sandbox that leaves every pixel outside it untouched."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from qwen_studio.ui.compare.mask_layer import MaskLayer
from qwen_studio.ui.compare.mask_tools import MaskController, MaskToolBar
from qwen_studio.ui.compare.mask_view import MaskView

PHOTO = (1800, 1200)


class Pad(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.layer = MaskLayer(self)
        self.controller = MaskController(self.layer, self)
        self.bar = MaskToolBar(self.controller, self)
        self.view = MaskView(self.controller, self)
        box = QVBoxLayout(self)
        box.addWidget(self.bar)
        box.addWidget(self.view)
        self.resize(960, 720)


@pytest.fixture
def pad(qtbot, tmp_path: Path) -> Pad:
    im = Image.new("RGB", PHOTO, (90, 120, 160))
    ImageDraw.Draw(im).ellipse((500, 300, 1300, 900), fill=(220, 180, 60))
    path = tmp_path / "photo.png"
    im.save(path)
    w = Pad()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.view.set_image(QImage(str(path)))
    w.view.setFocus()
    w.photo_path = path  # type: ignore[attr-defined]
    return w


def at(view: MaskView, x: float, y: float) -> QPointF:
    """The widget position of image pixel (x, y)."""
    r = view.image_rect()
    return QPointF(r.x() + x * r.width() / PHOTO[0], r.y() + y * r.height() / PHOTO[1])


def mouse(view: MaskView, kind: QEvent.Type, pos: QPointF, held: bool) -> None:
    buttons = Qt.MouseButton.LeftButton if held else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, pos, view.mapToGlobal(pos), Qt.MouseButton.LeftButton
                        if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
                        buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, event)


def drag(view: MaskView, points: list[tuple[float, float]]) -> None:
    mouse(view, QEvent.Type.MouseButtonPress, at(view, *points[0]), True)
    for p in points[1:]:
        mouse(view, QEvent.Type.MouseMove, at(view, *p), True)
    mouse(view, QEvent.Type.MouseButtonRelease, at(view, *points[-1]), False)


async def _edit(base_url: str, request, images: list[str]) -> bytes:
    from qwen_studio.core.client import ImageClient
    from qwen_studio.core.endpoint import Endpoint
    from qwen_studio.core.http_session import make_http_client

    async with make_http_client() as http:
        client = ImageClient(http, Endpoint(base_url, request.style, "test-key", "test"))
        result = await client.generate(request, images)
        return await client.fetch_image(result.images[0])


def key(pad: Pad, k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(pad.view, k, mod)


def test_keys_pick_tools_and_size(pad: Pad, qtbot) -> None:
    qtbot.waitActive(pad)
    for k, tool in ((Qt.Key.Key_B, "brush"), (Qt.Key.Key_E, "eraser"),
                    (Qt.Key.Key_M, "rect"), (Qt.Key.Key_L, "lasso")):
        key(pad, k)
        assert pad.controller.tool() == tool
        assert pad.bar.tool_actions[tool].isChecked()
    key(pad, Qt.Key.Key_B)
    size = pad.controller.size
    key(pad, Qt.Key.Key_BracketRight)
    assert pad.controller.size == round(size * 1.25)
    key(pad, Qt.Key.Key_BracketLeft)
    key(pad, Qt.Key.Key_BracketLeft)
    assert pad.controller.size < size
    assert pad.bar.size_label.text() == f"{round(pad.controller.size)} px"
    for action in pad.bar.actions():
        if action.isVisible() and action.text():
            assert action.toolTip()  # every control says what it does


def test_strokes_are_in_image_pixels_and_undo_per_stroke(pad: Pad, qtbot) -> None:
    qtbot.waitActive(pad)
    key(pad, Qt.Key.Key_B)
    pad.controller.set_size(100)
    pad.controller.set_hardness(1.0)
    drag(pad.view, [(300, 600), (500, 600), (700, 600)])
    r = pad.layer.bounding_rect()
    # The view shows the 1800×1200 photo at about half size, yet the stroke is in photo
    # pixels: 300..700 wide, ±50 around y = 600.
    assert abs(r.left() - 250) < 3 and abs(r.right() - 750) < 3
    assert abs(r.top() - 550) < 3 and abs(r.bottom() - 650) < 3
    data, w, h = pad.layer.mask_pixels()
    mask = Image.frombytes("L", (w, h), data).resize(PHOTO)
    assert mask.getpixel((500, 600)) == 255 and mask.getpixel((500, 800)) == 0

    key(pad, Qt.Key.Key_E)
    drag(pad.view, [(500, 500), (500, 700)])  # cut the stroke in two
    assert pad.layer.outline().contains(QPointF(350, 600))
    assert not pad.layer.outline().contains(QPointF(500, 600))
    pad.bar.undo_action.trigger()  # undoes the eraser stroke only
    assert pad.layer.outline().contains(QPointF(500, 600))
    pad.bar.redo_action.trigger()
    assert not pad.layer.outline().contains(QPointF(500, 600))
    pad.bar.undo_action.trigger()
    pad.bar.undo_action.trigger()
    assert pad.layer.is_empty() and not pad.bar.undo_action.isEnabled()


def test_rectangle_lasso_invert_clear_and_overlay(pad: Pad, qtbot) -> None:
    qtbot.waitActive(pad)
    key(pad, Qt.Key.Key_M)
    drag(pad.view, [(100, 100), (300, 200), (400, 300)])
    assert pad.layer.outline().contains(QPointF(250, 200))
    key(pad, Qt.Key.Key_L)
    drag(pad.view, [(1000, 800), (1400, 800), (1400, 1100), (1000, 1100)])
    assert pad.layer.outline().contains(QPointF(1200, 950))
    key(pad, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    outline = pad.layer.outline()
    assert outline.contains(QPointF(700, 600)) and not outline.contains(QPointF(250, 200))
    pad.bar.show_action.trigger()
    assert not pad.layer.visible()
    shot = pad.view.grab().toImage()
    pad.bar.show_action.trigger()
    assert pad.layer.visible() and pad.view.grab().toImage() != shot  # the overlay shows
    pad.bar.clear_action.trigger()
    assert pad.layer.is_empty()
    pad.bar.undo_action.trigger()
    assert not pad.layer.is_empty()


def test_a_new_photos_mask_is_empty_until_drawn_and_undo_empties_it_again(qtbot) -> None:
    # The raster waits for the first drawing (a new photo costs the GUI thread nothing);
    # what Run sends must not change: an empty mask at working size, then what was drawn.
    from PySide6.QtCore import QSize

    from qwen_studio.ui.compare.mask_layer import MaskOp

    layer = MaskLayer()
    layer.reset(QSize(6000, 4000))
    data, w, h = layer.mask_pixels()
    assert (w, h) == (3072, 2048) and len(data) == w * h and not any(data)
    layer.apply(MaskOp("rect", ((600.0, 400.0), (1200.0, 800.0))))
    data, w, h = layer.mask_pixels()
    assert data[round(600 * 0.512) * w + round(900 * 0.512)] == 255  # inside the rect
    assert data[10 * w + 10] == 0
    layer.undo()
    assert not any(layer.mask_pixels()[0])
    layer.redo()
    assert any(layer.mask_pixels()[0])


def test_a_drawn_mask_runs_a_region_edit_end_to_end(pad: Pad, qtbot, sandbox, run_async) -> None:
    from qwen_studio.core.region import changed_pixels, composite, mask_png, plan_region
    from qwen_studio.core.region_spec import RegionSpec
    from qwen_studio.core.request import EditRequest

    qtbot.waitActive(pad)
    key(pad, Qt.Key.Key_M)
    drag(pad.view, [(800, 400), (1100, 600)])
    data, w, h = pad.layer.mask_pixels()
    png, sha = mask_png(Image.frombytes("L", (w, h), data))
    assert hashlib.sha256(png).hexdigest() == sha
    spec = RegionSpec(mask_sha256=sha, feather=8)
    plan = plan_region(pad.photo_path, spec, mask=png)  # type: ignore[attr-defined]
    assert plan is not None
    request = EditRequest(inputs=(str(pad.photo_path),), prompt="paint it green",  # type: ignore[attr-defined]
                          size=plan.ask_size_text, region=spec)
    answer = run_async(_edit(sandbox.base_url, request, [plan.prepared.data_uri]))
    out = Image.open(io.BytesIO(composite(plan, answer)))
    out.load()
    src = Image.open(pad.photo_path).convert("RGB")  # type: ignore[attr-defined]
    keep = Image.new("L", PHOTO, 255)
    keep.paste(0, (800 - 10, 400 - 10, 1100 + 10, 600 + 10))  # feather + a mask pixel
    assert ImageChops.multiply(changed_pixels(src, out), keep).getbbox() is None
    inside = changed_pixels(src.crop((820, 420, 1080, 580)), out.crop((820, 420, 1080, 580)))
    assert inside.histogram()[255] > 0.95 * 260 * 160
