"""A region edit from the window against the sandbox: a rectangle dragged on the "before"
image with the mask tools makes Run a region edit; the result in the history is the
full-size composite (every pixel outside the region and its feather the original's), the
mask is stored in the library under the hash the edit records, and the mask stays on the
photo when the finished edit is shown."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from window_helpers import drop_files, sandbox_endpoint, until

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.region import changed_pixels

SIZE = (1200, 900)
BOX = (600, 300, 900, 600)  # the rectangle dragged, in image pixels
FEATHER = 8  # set in the feather control beside the mask tools (the default is 16)


def _widget_point(canvas, x: float, y: float) -> QPoint:
    target = canvas.before_image_rect()
    before = canvas._before.size
    return QPointF(target.x() + x * target.width() / before.width(),
                   target.y() + y * target.height() / before.height()).toPoint()


def test_a_rectangle_drawn_on_before_makes_run_a_region_edit(make_window, sandbox, qloop,
                                                              tmp_path: Path) -> None:
    photo = tmp_path / "street.png"
    original = Image.effect_noise(SIZE, 40).convert("RGB")
    original.save(photo)
    window = make_window(sandbox_endpoint(sandbox))
    view = window.compare_view
    canvas = view.canvas

    async def scenario() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs and canvas.has_before(), 15, "the input shown")
        view.region.toolbar.tool_actions["rect"].trigger()
        assert view.region.controller.tool() == "rect"
        start, end = _widget_point(canvas, *BOX[:2]), _widget_point(canvas, *BOX[2:])
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         start)
        QTest.mouseMove(canvas, end)
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           end)
        assert not view.region.layer.is_empty()
        view.region.feather_spin.setValue(FEATHER)
        window.prompt_panel.prompt_edit.setPlainText("a red door")
        assert window.run_edit() is not None
        await until(lambda: [e.status for e in window.history_model.entries()] == ["done"],
                    30, "the region edit done")

    qloop.run(scenario())
    entry = window.history_model.entries()[0]
    record = window.library.get(entry.edit_id)
    assert record is not None and record.status is EditStatus.DONE
    region = record.request.region
    assert region is not None and region.mask_sha256 is not None and region.rect is None
    assert region.feather == FEATHER
    stored = window.library.path_for_hash(region.mask_sha256)
    assert stored is not None and stored.is_file()
    [result_path] = record.result_files
    result = Image.open(result_path)
    assert result.size == SIZE  # the full-size composite, not the model's ~1 MP answer
    keep = Image.new("L", SIZE, 255)
    grow = FEATHER + 3  # the drag's pixel rounding
    keep.paste(0, (BOX[0] - grow, BOX[1] - grow, BOX[2] + grow, BOX[3] + grow))
    assert ImageChops.multiply(changed_pixels(original, result.convert("RGB")),
                               keep).getbbox() is None
    assert changed_pixels(original.crop(BOX), result.convert("RGB").crop(BOX)).getbbox()
    # The finished edit is shown with the same photo as "before": the mask stays on it.
    assert not view.region.layer.is_empty()
    drawn = view.region.layer.bounding_rect()

    # Changes mode: the changed pixels of the composite, all inside the region + feather.
    view.set_mode("changes")

    async def changes() -> None:
        await until(lambda: view.changes.count is not None, 15, "the changes heatmap")

    qloop.run(changes())
    assert view.visible_labels() == ["Changes"] and view.changes.count
    x0, y0, x1, y1 = view.changes.box
    assert x0 >= BOX[0] - grow and y0 >= BOX[1] - grow
    assert x1 <= BOX[2] + grow and y1 <= BOX[3] + grow
    view.set_mode("side")

    # Recall brings the stored mask and its feather back onto the photo (after both went).
    view.region.controller.clear()
    view.region.feather_spin.setValue(16)
    assert view.region.layer.is_empty()

    async def recall() -> None:
        window.history_panel.select_row(0)
        window.history_panel.recall_action.trigger()
        await until(lambda: not view.region.layer.is_empty(), 10, "the recalled mask")

    qloop.run(recall())
    back = view.region.layer.bounding_rect()
    assert view.region.feather_spin.value() == FEATHER
    for a, b in ((back.left(), drawn.left()), (back.top(), drawn.top()),
                 (back.right(), drawn.right()), (back.bottom(), drawn.bottom())):
        assert abs(a - b) <= 4, (back, drawn)  # traced at a smaller size
    data, w, h = view.region.layer.mask_pixels()
    painted = Image.frombytes("L", (w, h), data)
    assert painted.getpixel((w * 750 // SIZE[0], h * 450 // SIZE[1])) == 255  # inside
    assert painted.getpixel((w * 100 // SIZE[0], h * 100 // SIZE[1])) == 0  # outside
