"""The batch queue and the history rows follow the theme: light rows get light-theme
colours (readable on them), and a live switch restyles the panel without a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QIcon
from window_helpers import icon_ink

from qwen_studio.core.editing.progress import EditProgress, QueueStats
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.edit_signals import EditServiceSignals
from qwen_studio.ui import theme
from qwen_studio.ui.batch.look import LOOK, panel_stylesheet
from qwen_studio.ui.batch.model import C_STATUS
from qwen_studio.ui.batch.panel import BatchPanel
from qwen_studio.ui.batch_controller import BatchController
from qwen_studio.ui.theme.status import status_colour, status_colours

# The batch queue and the history rows share one status look (ui/theme/status.py).
STATUS_COLOURS = {scheme: status_colours(scheme) for scheme in ("dark", "light")}


@pytest.fixture
def restore_theme(qapp) -> Iterator[None]:
    before = qapp.property("qwenStudioThemeChoice") or "dark"
    yield
    theme.apply_theme(qapp, before)


class ThreeEdits:
    """What the panel reads of the edit service: three edits of one batch."""

    def __init__(self) -> None:
        self.edits = {
            i: EditProgress(i, EditRequest(inputs=(name,), prompt=""), name, status=status)
            for i, (name, status) in enumerate((("a.jpg", EditStatus.DONE),
                                                ("b.jpg", EditStatus.FAILED),
                                                ("c.jpg", EditStatus.QUEUED)), start=1)}

    def snapshot(self, edit_id: int) -> EditProgress | None:
        return self.edits.get(edit_id)

    def stats(self, batch_id: str | None = None) -> QueueStats:
        return QueueStats(total=3, done=1, failed=1, queued=1)

    def set_concurrency(self, n: int) -> None:
        pass


@pytest.fixture
def panel(qapp, qtbot) -> Iterator[BatchPanel]:
    service = ThreeEdits()
    signals = EditServiceSignals()
    controller = BatchController(lambda: service, signals, lambda _settings: None)  # type: ignore[arg-type, return-value]
    controller._new_batch()
    for edit_id in service.edits:
        controller._adopt(edit_id)
    p = BatchPanel(controller)
    qtbot.addWidget(p)
    controller._emit_pending()  # the rows, now rather than after the flush timer
    yield p
    controller._flush.stop()


def status_colour_shown(panel: BatchPanel, row: int) -> QColor:
    m = panel.model
    return m.data(m.index(row, C_STATUS), Qt.ItemDataRole.ForegroundRole)


def status_icon_shown(panel: BatchPanel, row: int) -> QIcon:
    m = panel.model
    return m.data(m.index(row, C_STATUS), Qt.ItemDataRole.DecorationRole)


def test_the_status_column_shows_an_icon_and_the_word_not_a_glyph(qapp, panel, restore_theme):
    """Readable without colour: the word, and the icon set's icon of the status beside it
    (not a glyph painted into a badge, not a glyph in the text), in the status colour."""
    m = panel.model
    for row, status, word in ((0, EditStatus.DONE, "Done"), (1, EditStatus.FAILED, "Failed"),
                              (2, EditStatus.QUEUED, "Queued")):
        assert m.data(m.index(row, C_STATUS), Qt.ItemDataRole.DisplayRole) == word
        shown = status_icon_shown(panel, row)
        assert isinstance(shown, QIcon) and shown.name() == status.value
        # Word-sized in rows as tall as their 44 px thumbnails, not a thumbnail-sized icon.
        assert shown.actualSize(QSize(44, 44)).height() <= 18
        for scheme in ("light", "dark"):
            theme.apply_theme(qapp, scheme)
            assert icon_ink(status_icon_shown(panel, row)) == \
                QColor(STATUS_COLOURS[scheme][status]), (scheme, status)


def test_light_theme_rows_are_not_the_dark_ones(qapp, panel, restore_theme):
    theme.apply_theme(qapp, "light")
    assert panel.model.rowCount(QModelIndex()) == 3
    done = status_colour_shown(panel, 0)
    assert done == QColor(STATUS_COLOURS["light"][EditStatus.DONE])
    assert done != QColor(STATUS_COLOURS["dark"][EditStatus.DONE])
    sheet = panel.styleSheet()
    assert LOOK["light"]["panel"] in sheet and "#232323" not in sheet
    # Readable on the light rows: the table's base and its alternate rows.
    base = QColor(theme.LIGHT["base"])
    for state, colour in STATUS_COLOURS["light"].items():
        for bg in (base, QColor(LOOK["light"]["alt_row"])):
            assert theme.contrast_ratio(QColor(colour), bg) >= 4.5, state


def test_a_live_switch_restyles_the_panel(qapp, panel, restore_theme):
    theme.apply_theme(qapp, "dark")
    assert panel.styleSheet() == panel_stylesheet("dark")
    assert status_colour_shown(panel, 1) == QColor(STATUS_COLOURS["dark"][EditStatus.FAILED])
    theme.apply_theme(qapp, "light")  # Settings ▸ Theme, while the window is open
    assert panel.styleSheet() == panel_stylesheet("light")
    assert status_colour_shown(panel, 1) == QColor(STATUS_COLOURS["light"][EditStatus.FAILED])
    theme.apply_theme(qapp, "dark")
    assert "#232323" in panel.styleSheet()


def test_history_status_colours_follow_the_theme(qapp, restore_theme):
    theme.apply_theme(qapp, "light")
    assert status_colour("done") == STATUS_COLOURS["light"][EditStatus.DONE]
    assert status_colour("done") != STATUS_COLOURS["dark"][EditStatus.DONE]
    for status, c in STATUS_COLOURS["light"].items():
        assert theme.contrast_ratio(QColor(c), QColor(theme.LIGHT["list"])) >= 4.5, status
    theme.apply_theme(qapp, "dark")
    assert status_colour("done") == STATUS_COLOURS["dark"][EditStatus.DONE]
    for status, c in STATUS_COLOURS["dark"].items():
        assert theme.contrast_ratio(QColor(c), QColor(theme.DARK["list"])) >= 4.5, status


def test_a_skipped_edit_reads_skipped_with_its_reason(qapp, qtbot):
    """SKIPPED has one word everywhere ("Skipped", the shared look); the queue says why
    beside it when the service gave a reason."""
    service = ThreeEdits()
    service.edits[4] = EditProgress(4, EditRequest(inputs=("d.jpg",), prompt=""), "d.jpg",
                                    status=EditStatus.SKIPPED, note="over the budget")
    service.edits[5] = EditProgress(5, EditRequest(inputs=("e.jpg",), prompt=""), "e.jpg",
                                    status=EditStatus.SKIPPED)
    controller = BatchController(lambda: service, EditServiceSignals(), lambda _s: None)  # type: ignore[arg-type, return-value]
    controller._new_batch()
    for edit_id in service.edits:
        controller._adopt(edit_id)
    panel = BatchPanel(controller)
    qtbot.addWidget(panel)
    controller._emit_pending()
    m = panel.model
    shown = [m.data(m.index(r, C_STATUS), Qt.ItemDataRole.DisplayRole) for r in (3, 4)]
    controller._flush.stop()
    assert shown == ["Skipped · over the budget", "Skipped"]
    skipped, done = (status_icon_shown(panel, r) for r in (3, 0))
    assert skipped.name() == "skipped" and done.name() == "done"  # not drawn alike
