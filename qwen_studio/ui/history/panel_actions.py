"""The history panel's actions: the context menu and its shortcuts (re-run, recall, use as
input, star, reveal, copy, parent and children, batch results), and what each does. A mixin
of HistoryPanel (panel.py): it uses the panel's model, list, signals and task helpers; its
words keep the HistoryPanel translation context."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar, cast

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from qwen_studio.core.library import EditRecord
from qwen_studio.core.library_records import request_with_stored_inputs
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history.entries import BatchGroup, HistoryEntry
from qwen_studio.ui.history.model import HistoryModel
from qwen_studio.ui.history.retry_action import RetryDownloadAction
from qwen_studio.ui.history.seed_actions import SeedActions

if TYPE_CHECKING:
    import asyncio

    from qwen_studio.ui.history.list_view import HistoryListView
    from qwen_studio.ui.history.panel import HistoryPanel

T = TypeVar("T")


translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")


class PanelActions:
    # Provided by HistoryPanel.
    model: HistoryModel
    batch_button: QToolButton
    _batch_id: str | None
    _menu: QMenu
    _list_actions: list[QAction]  # the panel's constructor makes it empty

    if TYPE_CHECKING:
        @property
        def list_view(self) -> HistoryListView: ...  # built when first asked for
        @property
        def built_list(self) -> HistoryListView | None: ...
        def selected_entries(self) -> list[HistoryEntry]: ...
        def current_row(self) -> HistoryEntry | BatchGroup | None: ...
        def current_entry(self) -> HistoryEntry | None: ...
        def select_row(self, row: int, extend: bool = False) -> None: ...
        async def select_edit(self, edit_id: int, extend: bool = False) -> bool: ...
        def focus_search(self) -> None: ...
        def delete_selected(self) -> None: ...
        def undo_delete(self) -> None: ...
        def export_dialog(self, scope: str | None = None) -> None: ...
        def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Future[T] | None: ...
        async def _pool(self, fn: Callable[..., T], *args: Any) -> T: ...
        def _status(self, text: str, ms: int = 6000) -> None: ...

    @property
    def _panel(self) -> HistoryPanel:
        return cast("HistoryPanel", self)  # the widget this mixin is part of

    def _act(self, text: str, slot: Callable[[], Any], name: str, keys: list[str] | None = None,
             context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
             owner: QWidget | None = None) -> QAction:
        act = QAction(text, self._panel)
        act.setObjectName(name)
        if keys:
            act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(context)
        act.triggered.connect(lambda _c=False: slot())
        if owner is None:
            self.add_list_action(act)
        else:
            owner.addAction(act)
        return act

    def add_list_action(self, act: QAction) -> None:
        """An action of the list (its shortcut works while the list has focus): attached
        now if the list is built, else when it is (panel_list.py)."""
        self._list_actions.append(act)
        if (lv := self.built_list) is not None:
            lv.addAction(act)

    def list_actions(self) -> list[QAction]:
        """Every action of the list, for the list to attach when it is built."""
        return list(self._list_actions)

    def _build_actions(self) -> None:
        a, win = self._act, Qt.ShortcutContext.WindowShortcut
        self.rerun_action = a(translate("HistoryPanel", "&Re-run"),
                              lambda: self.rerun(self.selected_entries()),
                              "historyRerunAction", ["Ctrl+R"])
        self.recall_action = a(translate("HistoryPanel", "Re&call parameters"),
                               self.recall_current, "historyRecallAction", ["Ctrl+Shift+R"])
        self.use_input_action = a(translate("HistoryPanel", "&Use result as input"),
                                  self.use_current_as_input, "historyUseAsInputAction",
                                  ["Ctrl+Shift+U"])
        self.star_action = a(translate("HistoryPanel", "&Star / unstar"),
                             lambda: self.toggle_star(self.selected_entries()),
                             "historyStarAction", ["S"])
        self.reveal_action = a(translate("HistoryPanel", "Show in &folder"), self.reveal_current,
                               "historyRevealAction")
        self.copy_prompt_action = a(translate("HistoryPanel", "&Copy prompt"), self.copy_prompts,
                                    "historyCopyPromptAction", ["Ctrl+C"])
        self.parent_action = a(translate("HistoryPanel", "Go to &parent"), self.go_parent,
                               "historyParentAction", ["Alt+Left"])
        self.children_action = a(translate("HistoryPanel", "Go to c&hildren"), self.go_children,
                                 "historyChildrenAction", ["Alt+Right"])
        self.delete_action = a(translate("HistoryPanel", "&Delete"), self.delete_selected,
                               "historyDeleteAction", ["Del"])
        # Window-wide: exporting, finding and undoing do not need the list to have focus.
        self.export_action = a(translate("HistoryPanel", "E&xport gallery…"), self.export_dialog,
                               "exportGalleryAction", ["Ctrl+Shift+E"], context=win,
                               owner=self._panel)
        self.export_action.setToolTip(translate("HistoryPanel",
            "Export the selected edits (or, with one or none selected, every edit the list "
            "shows) as a folder or a .zip with an offline index.html"))
        self.export_batch_action = a(translate("HistoryPanel", "Export this &batch…"),
                                     lambda: self.export_dialog("batch"), "exportBatchAction")
        self.batch_results_action = a(translate("HistoryPanel", "Show batch &results"),
                                      self.show_batch_results, "historyBatchResultsAction")
        self.undo_action = a(translate("HistoryPanel", "&Undo delete"), self.undo_delete,
                             "historyUndoAction", ["Ctrl+Z"], context=win, owner=self._panel)
        self.undo_action.setEnabled(False)
        self.seed_actions = SeedActions(self._panel)  # Reuse seed, Vary
        self.retry_download = RetryDownloadAction(self._panel)  # a paid result not downloaded
        self.find_action = a(translate("HistoryPanel", "&Search history"), self.focus_search,
                             "historyFindAction", ["Ctrl+F"], context=win, owner=self._panel)
        self._update_actions()

    def _update_actions(self) -> None:
        sel = self.selected_entries()
        one = sel[0] if len(sel) == 1 else None
        has_result = one is not None and bool(one.result_paths)
        self.rerun_action.setEnabled(bool(sel))
        self.recall_action.setEnabled(one is not None)
        self.use_input_action.setEnabled(has_result)
        self.reveal_action.setEnabled(has_result)
        self.star_action.setEnabled(bool(sel))
        self.copy_prompt_action.setEnabled(bool(sel))
        self.parent_action.setEnabled(one is not None and one.parent_id is not None)
        self.children_action.setEnabled(one is not None)
        self.delete_action.setEnabled(any(not e.active for e in sel))
        row = self.current_row()
        batch = row.batch_id if isinstance(row, BatchGroup) else (one.batch_id if one else None)
        self.export_batch_action.setEnabled(bool(batch))
        self.batch_results_action.setEnabled(bool(batch))
        every = bool(sel) and all(e.favourite for e in sel)
        self.star_action.setText(translate("HistoryPanel", "&Unstar") if every
                                 else translate("HistoryPanel", "&Star"))
        if batch:
            self._batch_id = batch if not self.batch_button.isChecked() else self._batch_id
            self.batch_button.show()
        elif not self.batch_button.isChecked():
            self.batch_button.hide()

    def show_batch_results(self) -> None:
        """Every result of the current row's batch (oldest first) into the results grid."""
        row = self.current_row()
        batch_id = row.batch_id if row is not None else None
        group = self.model.group(batch_id) if batch_id else None
        if group is not None:
            self._panel.batchResultsRequested.emit(
                [(m.edit_id, i, p) for m in reversed(group.members)
                 for i, p in enumerate(m.result_paths)])

    def _context_menu(self, pos: Any) -> None:
        idx = self.list_view.indexAt(pos)
        if idx.isValid() and not self.list_view.selectionModel().isSelected(idx):
            self.select_row(idx.row())
        menu = QMenu(self._panel)
        menu.setObjectName("historyContextMenu")
        menu.setToolTipsVisible(True)  # Reuse seed / Vary say what a seed does not promise
        for act in (self.retry_download.action, self.rerun_action,
                    *self.seed_actions.actions(), self.recall_action,
                    self.use_input_action, None,
                    self.star_action, self.copy_prompt_action, self.reveal_action, None,
                    self.parent_action, self.children_action, None, self.export_action,
                    self.export_batch_action, self.batch_results_action, None,
                    self.delete_action):
            menu.addSeparator() if act is None else menu.addAction(act)
        menu.popup(self.list_view.viewport().mapToGlobal(pos))
        self._menu = menu  # kept alive while it shows

    # -- actions -------------------------------------------------------------------------------
    async def _record(self, entry: HistoryEntry) -> EditRecord | None:
        lib = self.model.library
        if lib is None:
            return None
        return await self._pool(lib.get, entry.edit_id)

    def rerun(self, entries: list[HistoryEntry]) -> None:
        self.spawn(self._rerun(entries))

    async def _rerun(self, entries: list[HistoryEntry]) -> int:
        """Ask the window to run these edits again (with the library's copies of inputs
        that are gone from where they were)."""
        n = 0
        for e in entries:
            rec = await self._record(e)
            request = request_with_stored_inputs(rec) if rec is not None else e.request
            self._panel.rerunRequested.emit(request, e.parent_id)
            n += 1
        return n

    def recall_current(self) -> None:
        e = self.current_entry()
        if e is not None:
            self._recall(e.request)

    def _recall(self, request: EditRequest) -> None:
        self._panel.recallRequested.emit(request)

    def use_current_as_input(self) -> None:
        e = self.current_entry()
        if e is not None and e.result_paths:
            self._panel.useAsInputRequested.emit(e.result_paths[0], e.edit_id)

    def _on_star_clicked(self, index: QModelIndex) -> None:
        row = self.model.item(index.row())
        if isinstance(row, BatchGroup):
            self.toggle_star(list(row.members))
        elif row is not None:
            self.toggle_star([row])

    def toggle_star(self, entries: list[HistoryEntry]) -> None:
        if not entries or self.model.library is None:
            return
        value = not all(e.favourite for e in entries)
        self.model.set_favourite(entries, value)  # at once; the write follows in the pool
        lib, ids = self.model.library, [e.edit_id for e in entries]

        def write() -> None:
            for i in ids:
                lib.set_favourite(i, value)

        self.spawn(self._pool(write))
        self._update_actions()

    def reveal_current(self) -> None:
        e = self.current_entry()
        if e is not None and e.result_paths:
            from PySide6.QtCore import QUrl  # built when used, not at start
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(str(e.result_paths[0].parent)))

    def copy_prompts(self) -> None:
        sel = self.selected_entries()
        if sel:
            QGuiApplication.clipboard().setText("\n".join(e.request.prompt for e in sel))
            self._status(translate("HistoryPanel", "Prompt copied") if len(sel) == 1
                         else translate("HistoryPanel", "{n} prompts copied").format(n=len(sel)))

    # -- lineage -------------------------------------------------------------------------------
    def go_parent(self) -> None:
        e = self.current_entry()
        if e is not None and e.parent_id is not None:
            self.spawn(self.select_edit(e.parent_id))

    def go_children(self) -> None:
        e = self.current_entry()
        if e is not None:
            self.spawn(self._go_children(e.edit_id))

    async def _go_children(self, edit_id: int) -> list[int]:
        lib = self.model.library
        kids = await self._pool(lib.children, edit_id) if lib is not None else []
        if not kids:
            self._status(translate("HistoryPanel", "No edit was made from this one yet"))
            return []
        for i, rec in enumerate(kids):
            await self.select_edit(rec.id, extend=i > 0)
        return [r.id for r in kids]
