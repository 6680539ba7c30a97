"""The results grid shows a selected result as a whole highlighted tile (Qt's icon mode
tinted only the caption under the image: the picked-out result was hard to see)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from qwen_studio.ui.results.grid import ResultItem, ResultsGrid, ResultsModel


def test_the_selected_tile_is_highlighted_around_its_image(qtbot) -> None:
    model = ResultsModel()
    wanted: list = []
    model.thumbnailWanted.connect(lambda key, path: wanted.append(key))
    model.set_items([ResultItem((1, i), Path(f"/r/{i}.png"), f"Result {i}") for i in (1, 2)])
    grid = ResultsGrid(model)
    qtbot.addWidget(grid)
    grid.resize(900, 500)
    grid.show()
    qtbot.waitExposed(grid)
    QApplication.processEvents()
    tall = QImage(QSize(100, 150), QImage.Format.Format_RGB32)  # a portrait: room beside it
    tall.fill(QColor("red"))
    for key in wanted:
        model.set_thumbnail(key, tall)
    grid.setCurrentIndex(model.index(0))
    grid.viewport().repaint()
    shown = grid.viewport().grab().toImage()
    highlight = grid.palette().highlight().color()

    def beside_image(row: int) -> QColor:
        rect = grid.visualRect(model.index(row))
        return shown.pixelColor(QPoint(rect.left() + 8, rect.top() + 60))

    def near(a: QColor, b: QColor) -> bool:
        return max(abs(a.red() - b.red()), abs(a.green() - b.green()),
                   abs(a.blue() - b.blue())) < 24

    assert near(beside_image(0), highlight), (beside_image(0).name(), highlight.name())
    assert not near(beside_image(1), highlight)
