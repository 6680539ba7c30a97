"""The Versions dock: the version graph of the shown edit, read from the library in the
pool, thumbnails decoded in the pool; two marked versions open in the compare view."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDockWidget, QLabel, QScrollArea, QVBoxLayout, QWidget

from qwen_studio.core.errors import QwenStudioError
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui import image_loading as il
from qwen_studio.ui.compare.compare_view import CompareView
from qwen_studio.ui.versions.graph import THUMB, VersionGraph
from qwen_studio.ui.versions.tree import LineageSource, VersionNode, load_version_tree

translate = QCoreApplication.translate
COMPARE_MAX_SIDE = 2048


class VersionsDock(QDockWidget):
    def __init__(self, library: LineageSource, tasks: TaskRunner, view: CompareView,
                 show_edit: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(translate("VersionsDock", "Versions"), parent)
        self.setObjectName("versionsDock")
        self.library, self.tasks, self.view, self._show_edit = library, tasks, view, show_edit
        self.graph = VersionGraph()
        self.graph.showRequested.connect(self._on_show)
        self.graph.compareRequested.connect(self.compare)
        self.hint = QLabel(translate(
            "VersionsDock", "Select an edit in the history to see its versions. Ctrl+click "
            "two versions to compare them."))
        self.hint.setObjectName("versionsHint")
        self.hint.setWordWrap(True)
        scroll = QScrollArea()
        scroll.setObjectName("versionsScroll")
        scroll.setAccessibleName(translate("VersionsDock", "Versions"))
        scroll.setAccessibleDescription(translate("VersionsDock", "The version graph"))
        scroll.setWidget(self.graph)
        scroll.setWidgetResizable(False)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(8, 4, 8, 8)
        lay.addWidget(self.hint)
        lay.addWidget(scroll, 1)
        self.setWidget(body)
        # View ▸ Versions (Ctrl+Shift+V) is the window's own action (MainWindow.versions_action):
        # it exists before this dock, which is built after the first frame.
        self._edit_id: int | None = None  # the edit the graph should centre on
        self._loaded_for: int | None = None
        self.visibilityChanged.connect(lambda visible: visible and self._load_if_needed())

    def follow(self, edit_id: int | None) -> None:
        """The shown edit changed: show its tree (now if visible, else when opened)."""
        self._edit_id = edit_id
        if edit_id is not None and any(n.edit_id == edit_id for n in self.graph.nodes()):
            self.graph.set_nodes(self.graph.nodes(), current=edit_id)  # same tree
            self._loaded_for = edit_id
            return
        if self.isVisible():
            self._load_if_needed()

    def _load_if_needed(self) -> None:
        if self._edit_id is not None and self._edit_id != self._loaded_for:
            self.tasks.spawn(self.load(self._edit_id))

    async def load(self, edit_id: int) -> None:
        self._loaded_for = edit_id
        nodes: list[VersionNode] = await self.tasks.run(load_version_tree, self.library,
                                                        edit_id)
        if self._loaded_for != edit_id:
            return  # the user moved on
        self.graph.set_nodes(nodes, current=edit_id)
        self.hint.setVisible(len(nodes) < 2)
        with_thumbs = [(n.edit_id, n.thumbnail) for n in nodes if n.thumbnail is not None]
        images = await self.tasks.run_each(lambda path: il.decode_image(path, THUMB * 2),
                                           [path for _, path in with_thumbs])
        for (edit_id, _), image in zip(with_thumbs, images, strict=True):
            if isinstance(image, QImage):
                self.graph.set_thumbnail(edit_id, image)

    def _on_show(self, edit_id: int) -> None:
        self._loaded_for = self._edit_id = edit_id
        self._show_edit(edit_id)

    def compare(self, a: int, b: int) -> None:
        """Version `a` as before, `b` as after, in the compare view."""
        self.tasks.spawn(self._compare(a, b))

    async def _compare(self, a: int, b: int) -> None:
        paths = {n.edit_id: n.thumbnail for n in self.graph.nodes()}
        pa, pb = paths.get(a), paths.get(b)
        if pa is None or pb is None:
            return  # a version without a result (failed, cancelled) has nothing to show
        images: list[QImage | None] = []
        for path in (pa, pb):
            image = None
            with contextlib.suppress(QwenStudioError):
                image = await self.tasks.run(il.decode_image, Path(path), COMPARE_MAX_SIDE)
            images.append(image)
        if images[0] is None or images[1] is None:
            return
        self.view.set_before(images[0])
        self.view.set_results([images[1]], [Path(pb)])
        self.view.set_result_path(Path(pb))
        self.view.set_mode("side")
