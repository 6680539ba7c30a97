"""The results grid on the canvas: every result of an edit with n > 1, or of a batch, as
large thumbnails to cull (P picked, X rejected), then "Export picked…".

`ResultsPanel` is the page (a header with counts and actions over the grid); the
`GridController` fills it — `show_results(edit_id, paths)` for one edit's results,
`fill(items)` with (edit id, result index, path) triples for a batch — decodes the
thumbnails the grid asks for in the pool, and exports the picked through `save_to`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.errors import QwenStudioError
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui import image_loading as il
from qwen_studio.ui.icons import icon
from qwen_studio.ui.results.grid import (
    THUMB,
    Mark,
    ResultItem,
    ResultKey,
    ResultsGrid,
    ResultsModel,
)

SaveTo = Callable[[Path, Path], Awaitable[None]]


class ResultsPanel(QWidget):
    backRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsPanel")
        self.model = ResultsModel(self)
        self.grid = ResultsGrid(self.model)
        self.back_button = QPushButton(icon("image"), self.tr("Compare"))
        self.back_button.setObjectName("gridBackButton")
        self.back_button.setAccessibleName(self.tr("Back to compare"))
        self.back_button.setAccessibleDescription(self.tr(
            "Show the current result before and after (G toggles the grid)"))
        self.back_button.clicked.connect(self.backRequested)
        self.counts = QLabel()
        self.counts.setObjectName("gridCounts")
        self.counts.setAccessibleName(self.tr("Marks"))
        self.export_button = QPushButton(icon("export"), self.tr("Export picked…"))
        self.export_button.setObjectName("exportPickedButton")
        self.export_button.setAccessibleName(self.tr("Export picked"))
        self.export_button.setAccessibleDescription(self.tr(
            "Copy the results marked picked (P) into a folder"))
        self.export_button.clicked.connect(self.grid.export_picked)
        head = QHBoxLayout()
        head.setContentsMargins(8, 6, 8, 6)
        head.setSpacing(12)  # the counts do not touch the Compare button
        head.addWidget(self.back_button)
        head.addWidget(self.counts, 1)
        head.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(head)
        lay.addWidget(self.grid, 1)
        self.model.markChanged.connect(lambda *_: self._count())
        self.model.modelReset.connect(self._count)
        self.setFocusProxy(self.grid)
        self._count()

    def _count(self) -> None:
        items = self.model.items()
        picked = sum(1 for i in items if i.mark is Mark.PICKED)
        rejected = sum(1 for i in items if i.mark is Mark.REJECTED)
        self.counts.setText(self.tr("{n} results · {p} picked · {x} rejected").format(
            n=len(items), p=picked, x=rejected))
        self.counts.setAccessibleDescription(self.counts.text())
        self.export_button.setEnabled(picked > 0)


class GridController(QObject):
    """Fills the panel, decodes what it paints, shows a result, exports the picked."""

    resultShown = Signal(object)  # ResultKey the user opened (Enter / double-click)

    def __init__(self, panel: ResultsPanel, tasks: TaskRunner, save_to: SaveTo,
                 dialog_parent: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel, self.tasks, self._save_to = panel, tasks, save_to
        self._dialog_parent = dialog_parent
        panel.model.thumbnailWanted.connect(self._decode)
        panel.grid.resultActivated.connect(self.resultShown)
        panel.grid.exportPickedRequested.connect(self.export_picked)

    def fill(self, items: list[tuple[int, int, Path]]) -> None:
        """(edit id, result index, path) for each result, e.g. every result of a batch."""
        self.panel.model.set_items([
            ResultItem((eid, i), Path(path), self.tr("#{id} · {name}").format(
                id=eid, name=Path(path).name)) for eid, i, path in items])
        if items:
            self.panel.grid.setCurrentIndex(self.panel.model.index(0))

    def show_results(self, edit_id: int | None, paths: list[Path]) -> None:
        """One edit's results (n > 1): numbered 1..n as on the result strip."""
        eid = edit_id or 0
        items = [ResultItem((eid, i), p, self.tr("Result {i}").format(i=i + 1))
                 for i, p in enumerate(paths)]
        if [i.path for i in items] == [i.path for i in self.panel.model.items()]:
            return  # the same results shown again: keep the marks and the place
        self.panel.model.set_items(items)
        if paths:
            self.panel.grid.setCurrentIndex(self.panel.model.index(0))

    def _decode(self, key: ResultKey, path: Path) -> None:
        self.tasks.spawn(self._load(key, path))

    async def _load(self, key: ResultKey, path: Path) -> None:
        try:
            image: QImage = await self.tasks.run(il.decode_image, path, THUMB * 2)
        except QwenStudioError:
            return  # the tile stays neutral; its tooltip still names the file
        self.panel.model.set_thumbnail(key, image)

    def export_picked(self, paths: list[Path], folder: Path | None = None) -> None:
        """Copy the picked results into `folder` (asked for when None), names kept."""
        if not paths:
            return
        if folder is None:
            start = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.PicturesLocation)
            chosen = QFileDialog.getExistingDirectory(
                self._dialog_parent, self.tr("Export picked results to"), start)
            if not chosen:
                return
            folder = Path(chosen)
        self.tasks.spawn(self._export(paths, folder))

    async def _export(self, paths: list[Path], folder: Path) -> None:
        used: set[str] = set()
        for src in paths:
            name, n = src.name, 1
            while name in used or (folder / name).exists():
                n += 1
                name = f"{src.stem}-{n}{src.suffix}"
            used.add(name)
            await self._save_to(src, folder / name)  # reports success and failure itself
