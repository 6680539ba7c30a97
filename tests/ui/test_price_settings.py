"""Settings ▸ Prices per image: the catalog's price of each model beside the user's own; a
price saved there is what the status bar's spend meter uses at once."""

from __future__ import annotations

import io

from PIL import Image
from window_helpers import until

from qwen_studio.core.config import ConfigStore
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.dialogs.price_settings import C_CATALOG, C_MODEL

MODEL = "qwen-image-edit-plus"  # 0.2 CNY an image in the catalog


def seed_done_edit(results: int) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 90, 200)).save(buf, "PNG")
    with Library() as lib:
        sha, path = lib.store_bytes(buf.getvalue(), "png")
        eid = lib.create_edit(EditRequest(inputs=(str(path),), prompt="p", model=MODEL),
                              input_hashes=(sha,))
        lib.complete_edit(eid, [buf.getvalue()] * results)


def test_a_price_saved_in_settings_moves_the_spend_meter(make_window, qloop):
    seed_done_edit(results=2)
    window = make_window()
    meter = window.spend.meter

    async def opened() -> None:
        await until(lambda: "¥0.40" in meter.label.text(), 10, "the catalog's price")

    qloop.run(opened())
    window.open_settings()
    box = window.settings_dialog.prices_box
    rows = {box.table.item(r, C_MODEL).text(): box.table.item(r, C_CATALOG).text()
            for r in range(box.table.rowCount())}
    assert rows[MODEL] == "¥0.20"
    field = box.field(MODEL)
    assert field is not None and field.text() == "" and field.placeholderText() == "as catalog"

    field.setText("$0.05")
    field.editingFinished.emit()

    async def saved() -> None:
        await until(lambda: "$0.10" in meter.label.text(), 10, "the meter in the new price")

    qloop.run(saved())
    assert "¥" not in meter.label.text()
    assert ConfigStore().price_overrides()[MODEL] == (0.05, "USD")
    assert "$0.05" in box.status.text() and not box.status.text().startswith("✓")
    assert box.status.note_icon() is not None and box.status.note_icon().name() == "done"
    # The history's estimate follows the same table.
    entry = window.history_model.entries()[0]
    assert entry.spend == "≈ $0.10"

    # Empty: the catalog's price again.
    field.setText("")
    field.editingFinished.emit()

    async def cleared() -> None:
        await until(lambda: "¥0.40" in meter.label.text(), 10, "the catalog's price again")

    qloop.run(cleared())
    assert MODEL not in ConfigStore().price_overrides()


def test_a_price_that_does_not_parse_is_not_saved(qtbot, qloop):
    from qwen_studio.ui.dialogs.settings_dialog import SettingsDialog

    dialog = SettingsDialog(ConfigStore())
    qtbot.addWidget(dialog)
    field = dialog.prices_box.field(MODEL)
    assert field is not None
    field.setText("cheap")
    field.editingFinished.emit()
    assert "not a price" in dialog.prices_box.status.text()
    warned = dialog.prices_box.status.note_icon()
    assert warned is not None and warned.name() == "warning"  # an icon, not a ⚠ glyph
    assert ConfigStore().price_overrides() == {}
