"""The model combo's rows are built after the first frame or when first used: the first
frame shows the model in the combo's line edit, the combo the same size as later."""

from __future__ import annotations

from PySide6.QtCore import Qt

from qwen_studio.core.request import DEFAULT_MODELS, DEFAULT_STYLE
from qwen_studio.ui.editor.parameters_panel import HEADER_ROLE, ParametersPanel


def _panel(qtbot) -> ParametersPanel:
    panel = ParametersPanel()
    qtbot.addWidget(panel)
    panel.resize(260, 300)
    panel.show()
    return panel


def test_the_first_frame_shows_the_model_without_building_the_list(qtbot) -> None:
    panel = _panel(qtbot)
    combo = panel.model_combo
    assert combo.count() == 0  # no rows yet (Qt builds the empty popup when it polishes)
    assert panel.model() == DEFAULT_MODELS[DEFAULT_STYLE]
    assert combo.lineEdit().text() == panel.model()
    before = (combo.sizeHint(), combo.minimumSizeHint(), combo.height())
    panel.fill_model_list()
    assert combo.count() > 5
    assert combo.currentText() == DEFAULT_MODELS[DEFAULT_STYLE]
    assert combo.itemText(combo.currentIndex()) == combo.currentText()
    # The same size filled as not: the first frame is laid out as every later one.
    assert (combo.sizeHint(), combo.minimumSizeHint()) == before[:2]
    qtbot.waitUntil(lambda: combo.height() == before[2])


def test_a_key_before_the_list_is_filled_steps_through_it(qtbot) -> None:
    panel = _panel(qtbot)
    combo = panel.model_combo
    assert combo.count() == 0  # not filled yet
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.count() > 5  # filled by the key
    rows = [combo.itemText(i) for i in range(combo.count())
            if not panel.models.item(i).data(HEADER_ROLE)]
    first = rows.index(DEFAULT_MODELS[DEFAULT_STYLE])
    assert panel.model() == rows[first + 1]  # what Down does in a filled list


def test_a_model_set_before_the_list_is_its_current_row_after(qtbot) -> None:
    panel = _panel(qtbot)
    panel.set_listed_models(["my-image-model"])  # an endpoint's listing, kept for the fill
    panel.set_model("qwen-image-edit")
    assert panel.model() == "qwen-image-edit" and panel.model_combo.count() == 0
    ids = panel.model_ids()  # asking for the rows fills them
    assert "my-image-model" in ids and "qwen-image-edit" in ids
    combo = panel.model_combo
    assert combo.itemText(combo.currentIndex()) == "qwen-image-edit"


def test_opening_the_popup_fills_it(qtbot) -> None:
    panel = _panel(qtbot)
    wanted: list[bool] = []
    panel.modelListWanted.connect(lambda: wanted.append(True))
    assert panel.model_combo.count() == 0  # not filled yet
    panel.model_combo.showPopup()
    try:
        assert panel.model_combo.count() > 5 and wanted == [True]
    finally:
        panel.model_combo.hidePopup()
