"""The results grid: large thumbnails, P/X/U marks from the keyboard, export of the picked."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from qwen_studio.ui.results.grid import Mark, ResultItem, ResultsGrid, ResultsModel


def _grid(qtbot: QtBot, n: int) -> tuple[ResultsGrid, ResultsModel, list[tuple[object, Path]]]:
    model = ResultsModel()
    wanted: list[tuple[object, Path]] = []
    model.thumbnailWanted.connect(lambda key, path: wanted.append((key, path)))
    model.set_items([ResultItem((i + 1, 1), Path(f"/r/{i + 1}.png"), f"photo-{i + 1} · 1")
                     for i in range(n)])
    grid = ResultsGrid(model)
    qtbot.addWidget(grid)
    grid.resize(1000, 700)
    grid.show()
    qtbot.waitExposed(grid)
    QApplication.processEvents()  # the delayed item layout, as the event loop's first turn
    return grid, model, wanted


def test_arrows_move_and_p_x_u_mark(qtbot: QtBot) -> None:
    grid, model, _ = _grid(qtbot, 6)
    grid.setCurrentIndex(model.index(0))
    QTest.keyClick(grid, Qt.Key.Key_P)
    QTest.keyClick(grid, Qt.Key.Key_Right)
    QTest.keyClick(grid, Qt.Key.Key_X)
    QTest.keyClick(grid, Qt.Key.Key_Right)
    QTest.keyClick(grid, Qt.Key.Key_P)
    QTest.keyClick(grid, Qt.Key.Key_U)
    marks = [item.mark for item in model.items()]
    assert marks[:3] == [Mark.PICKED, Mark.REJECTED, Mark.NONE]
    # The mark is a word, not only a colour.
    assert model.index(0).data().startswith("Picked")
    assert model.index(1).data().startswith("Rejected")


def test_export_picked_sends_the_picked_paths_in_order(qtbot: QtBot) -> None:
    grid, model, _ = _grid(qtbot, 5)
    for row in (3, 1):
        grid.setCurrentIndex(model.index(row))
        QTest.keyClick(grid, Qt.Key.Key_P)
    with qtbot.waitSignal(grid.exportPickedRequested) as sig:
        grid.export_picked()
    assert sig.args == [[Path("/r/2.png"), Path("/r/4.png")]]


def test_enter_shows_the_result(qtbot: QtBot) -> None:
    grid, model, _ = _grid(qtbot, 3)
    grid.setCurrentIndex(model.index(2))
    with qtbot.waitSignal(grid.resultActivated) as sig:
        QTest.keyClick(grid, Qt.Key.Key_Return)
    assert sig.args == [(3, 1)]


def test_only_painted_thumbnails_are_asked_for_once(qtbot: QtBot) -> None:
    grid, model, wanted = _grid(qtbot, 400)
    grid.viewport().repaint()  # paints synchronously: every visible tile asks now
    first = len(wanted)
    assert 0 < first < 100, "a 400-result grid must not decode what is off screen"
    grid.viewport().repaint()
    assert len(wanted) == first == len({k for k, _ in wanted}), "asked once each"
    image = QImage(QSize(160, 120), QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    key = wanted[0][0]
    model.set_thumbnail(key, image)  # type: ignore[arg-type]
    row = [i.key for i in model.items()].index(key)
    assert model.index(row).data(Qt.ItemDataRole.DecorationRole) is not None


def test_a_tile_has_a_thumbnails_room_before_and_after_it_arrives(qtbot: QtBot) -> None:
    """The tiles are laid out before any thumbnail is decoded; with uniform item sizes the
    view kept that first, icon-less size (a 55×14 label), so the thumbnails that came later
    were squeezed into thin strips at the top of an empty grid."""
    grid, model, wanted = _grid(qtbot, 4)
    grid.viewport().repaint()
    image = QImage(QSize(320, 213), QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    for key, _ in wanted:
        model.set_thumbnail(key, image)  # type: ignore[arg-type]
    grid.viewport().repaint()
    for row in range(4):
        rect = grid.visualRect(model.index(row))
        assert rect.width() >= 160 and rect.height() >= 160, rect
    shown = grid.viewport().grab().toImage()
    centre = grid.visualRect(model.index(0)).center()
    centre.setY(grid.visualRect(model.index(0)).top() + 80)
    assert shown.pixelColor(centre).red() > 200, "the thumbnail is drawn at its size"


def test_the_grid_is_neutral_grey_in_both_themes(qtbot: QtBot, scheme) -> None:
    """Thumbnails are judged on the canvas's neutral grey, not on the light theme's white
    (which biases colour judgement, as any tinted surround does)."""
    from qwen_studio.ui.compare.image_canvas import BACKGROUND

    for name in ("light", "dark"):
        scheme(name)
        grid, _model, _ = _grid(qtbot, 1)
        empty = grid.viewport().grab().toImage().pixelColor(grid.viewport().width() - 5,
                                                            grid.viewport().height() - 5)
        assert empty.name() == BACKGROUND.name(), (name, empty.name())
