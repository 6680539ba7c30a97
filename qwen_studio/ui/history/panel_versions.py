"""The history panel's version tree: the current edit's ancestors and descendants, read in
the pool when the current row changes, in a view built on first use. A mixin of
HistoryPanel (panel.py): it uses the panel's model, signals and task helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar, cast

from PySide6.QtWidgets import QLabel, QVBoxLayout

from qwen_studio.ui.history.entries import BatchGroup, HistoryEntry
from qwen_studio.ui.history.model import HistoryModel

if TYPE_CHECKING:
    import asyncio

    from qwen_studio.ui.history.lineage_view import LineageView
    from qwen_studio.ui.history.panel import HistoryPanel

T = TypeVar("T")
log = logging.getLogger("qwen_studio.ui.history.panel")


class PanelVersions:
    # Provided by HistoryPanel.
    model: HistoryModel
    lineage_title: QLabel
    _lineage: LineageView | None
    _tree_token: int

    if TYPE_CHECKING:
        def current_row(self) -> HistoryEntry | BatchGroup | None: ...
        def current_entry(self) -> HistoryEntry | None: ...
        async def select_edit(self, edit_id: int, extend: bool = False) -> bool: ...
        def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Future[T] | None: ...
        async def _pool(self, fn: Callable[..., T], *args: Any) -> T: ...
        def _update_actions(self) -> None: ...

    @property
    def _panel(self) -> HistoryPanel:
        return cast("HistoryPanel", self)  # the widget this mixin is part of

    def _current_changed(self) -> None:
        self._update_actions()
        e = self.current_entry()
        if e is not None:
            self._panel.editActivated.emit(e.edit_id)
        if isinstance(self.current_row(), BatchGroup):
            e = None  # a batch has no version tree of its own
        if e is None or self.model.library is None:
            if self._lineage is not None:
                self._lineage.hide()
            self.lineage_title.hide()
            return
        self._tree_token += 1
        token, edit_id, lib = self._tree_token, e.edit_id, self.model.library

        async def load() -> None:
            from qwen_studio.ui.history.lineage_view import build_version_tree

            try:
                root, _n = await self._pool(build_version_tree, lib, edit_id)
            except Exception as exc:  # the tree is a convenience: never an error banner
                log.warning("version tree failed: %r", exc)
                return
            if token == self._tree_token:
                self.lineage.show_tree(root, edit_id)
                self.lineage_title.setVisible(self.lineage.isVisibleTo(self._panel))

        self.spawn(load())

    @property
    def lineage(self) -> LineageView:
        """The version tree, built (hidden, under its title) on first use."""
        if self._lineage is None:
            from qwen_studio.ui.history.lineage_view import LineageView

            self._lineage = LineageView()
            lay = self._panel.layout()
            assert isinstance(lay, QVBoxLayout)
            lay.insertWidget(lay.indexOf(self.lineage_title) + 1, self._lineage)
            self._lineage.editActivated.connect(lambda eid: self.spawn(self.select_edit(eid)))
        return self._lineage

    def _on_entry_refreshed(self, entry: HistoryEntry) -> None:
        if entry is self.current_entry():
            self._current_changed()  # its parent is known now: actions and versions
