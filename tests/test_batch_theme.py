"""The batch queue and the history rows follow the theme: light rows get light-theme
colours (readable on them), and a live switch restyles the panel without a restart."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from qwen_studio.core.jobs import JobState
from qwen_studio.core.request import EditRequest
from qwen_studio.ui import theme
from qwen_studio.ui.batch_controller import BatchController
from qwen_studio.ui.batch_panel import (
    C_STATUS,
    LOOK,
    STATUS_COLOURS,
    BatchPanel,
    panel_stylesheet,
)
from qwen_studio.ui.status_look import STATUS_COLOURS as HISTORY_COLOURS
from qwen_studio.ui.status_look import status_look


@pytest.fixture
def restore_theme(qapp) -> Iterator[None]:
    before = qapp.property("qwenStudioThemeChoice") or "dark"
    yield
    theme.apply_theme(qapp, before)


@pytest.fixture
def panel(qapp, qtbot) -> Iterator[BatchPanel]:
    pool = ThreadPoolExecutor(max_workers=1)
    controller = BatchController(None, pool, lambda: (None, None, ""))
    controller._new_batch()
    assert controller.queue is not None
    for name, state in (("a.jpg", JobState.DONE), ("b.jpg", JobState.FAILED),
                        ("c.jpg", JobState.QUEUED)):
        job = controller.queue.add(EditRequest(inputs=(name,), prompt=""), name)
        job.state = state
    p = BatchPanel(controller)
    qtbot.addWidget(p)
    controller._emit_pending()  # the rows, now rather than after the flush timer
    yield p
    controller._flush.stop()
    controller._db.shutdown(wait=True)
    pool.shutdown(wait=True)


def status_colour_shown(panel: BatchPanel, row: int) -> QColor:
    m = panel.model
    return m.data(m.index(row, C_STATUS), Qt.ItemDataRole.ForegroundRole)


def test_light_theme_rows_are_not_the_dark_ones(qapp, panel, restore_theme):
    theme.apply_theme(qapp, "light")
    assert panel.model.rowCount(QModelIndex()) == 3
    done = status_colour_shown(panel, 0)
    assert done == QColor(STATUS_COLOURS["light"][JobState.DONE])
    assert done != QColor(STATUS_COLOURS["dark"][JobState.DONE])
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
    assert status_colour_shown(panel, 1) == QColor(STATUS_COLOURS["dark"][JobState.FAILED])
    theme.apply_theme(qapp, "light")  # Settings ▸ Theme, while the window is open
    assert panel.styleSheet() == panel_stylesheet("light")
    assert status_colour_shown(panel, 1) == QColor(STATUS_COLOURS["light"][JobState.FAILED])
    theme.apply_theme(qapp, "dark")
    assert "#232323" in panel.styleSheet()


def test_history_status_colours_follow_the_theme(qapp, restore_theme):
    theme.apply_theme(qapp, "light")
    look = status_look("done")
    assert look.glyph == "✓" and look.colour == HISTORY_COLOURS["light"]["done"]
    for status, c in HISTORY_COLOURS["light"].items():
        assert theme.contrast_ratio(QColor(c), QColor(theme.LIGHT["list"])) >= 4.5, status
    theme.apply_theme(qapp, "dark")
    assert status_look("done").colour == HISTORY_COLOURS["dark"]["done"]
    for status, c in HISTORY_COLOURS["dark"].items():
        assert theme.contrast_ratio(QColor(c), QColor(theme.DARK["list"])) >= 4.5, status
