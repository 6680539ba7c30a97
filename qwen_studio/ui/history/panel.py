"""The history sidebar: search, filters, the list of every edit, versions, and actions.

The panel is a widget; everything slow (queries, exports, PNG metadata) runs in the thread
pool. It never reaches into the window: what the window must do (show an edit, re-run one,
recall its parameters, use a result as input, say something) it asks for with a signal, and
the window connects them (ui/main_window.py).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.request import EditRequest
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui.history.entries import (
    BatchGroup,
    HistoryEntry,
    HistoryFilter,
)
from qwen_studio.ui.history.library_ops import PanelLibraryOps
from qwen_studio.ui.history.model import HistoryModel
from qwen_studio.ui.history.panel_actions import PanelActions
from qwen_studio.ui.history.panel_versions import PanelVersions
from qwen_studio.ui.icons import icon
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel

if TYPE_CHECKING:
    import asyncio  # loaded after the window's first paint (app.main)

    from qwen_studio.ui.history.delegate import HistoryDelegate, HistoryListView
    from qwen_studio.ui.history.lineage_view import LineageView

__all__ = ["HistoryPanel"]

T = TypeVar("T")

SEARCH_DEBOUNCE_MS = 150
UNDO_BAR_MS = 12_000


# =============================================================================================
# the panel
class HistoryPanel(QWidget, PanelLibraryOps, PanelActions, PanelVersions):
    """Everything on the right-hand side."""

    selectionChangedEntries = Signal(list)
    editActivated = Signal(int)  # show this edit's before/after (edit id)
    batchResultsRequested = Signal(list)  # [(edit id, result index, Path)]: to the grid
    rerunRequested = Signal(object, object)  # EditRequest, parent edit id or None
    recallRequested = Signal(object)  # EditRequest: its prompt and parameters into the panels
    useAsInputRequested = Signal(object, int)  # result Path, the edit id it came from
    statusMessage = Signal(str, int)  # text, milliseconds (0: until replaced)
    noticeRequested = Signal(object)  # Notice (kind HISTORY, its action a callable)

    def __init__(self, model: HistoryModel, parent: QWidget | None = None, *,
                 settings: QSettings | None = None, tasks: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.model = model
        # The window's runner: a failed task becomes a notice, and closing cancels the rest.
        self.tasks = tasks if tasks is not None else TaskRunner(model.pool)
        self.settings = settings  # where the last export folder is remembered
        self._undo: list[list[HistoryEntry]] = []
        self._dropped_request: EditRequest | None = None
        self._tree_token = 0
        self._last_export: Path | None = None

        title = QLabel(self.tr("History"))
        title.setObjectName("sectionTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("historyCount")
        self.count_label.setAccessibleName(self.tr("Number of edits shown"))
        title_row = QHBoxLayout()
        title_row.setContentsMargins(0, 0, 0, 0)
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(self.count_label)

        self.search = QLineEdit()
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText(self.tr("Search prompts  (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search history"))
        self.search.setAccessibleDescription(
            self.tr("Shows only edits whose prompt contains these words (Ctrl+F)"))
        self.fav_button = self._toggle("historyFavouritesFilter", self.tr("Starred"),
                                       self.tr("Show only starred edits"))
        self.failed_button = self._toggle("historyFailedFilter", self.tr("Failed"),
                                          self.tr("Show only edits that failed or were "
                                                  "interrupted"))
        self.batch_button = self._toggle("historyBatchFilter", self.tr("Batch"),
                                         self.tr("Show only the batch of the selected edit"))
        self.batch_button.hide()
        for b, meaning in ((self.fav_button, "starred"), (self.failed_button, "failed")):
            b.setIcon(icon(meaning))  # the themed icon beside the word, not a text glyph
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._batch_id: str | None = None
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setSpacing(6)
        filters.addWidget(self.fav_button)
        filters.addWidget(self.failed_button)
        filters.addWidget(self.batch_button)
        filters.addStretch(1)

        # The list (and its modules) is built when the first rows arrive, just after the
        # first frame, or when first used (panel_list.py): an empty history shows only
        # the text below, and no first frame needs more.
        self._list: HistoryListView | None = None
        self._delegate: HistoryDelegate | None = None
        self._list_actions = []  # actions the list gets when built (add_list_action)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("historyEmpty")
        # Top of the list's place, not floating mid-panel: the search stays where it was.
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty_label.setContentsMargins(8, 32, 8, 8)
        self.empty_label.setWordWrap(True)

        # The version tree (a QTreeWidget, ~2 ms to import and build) is made the first time
        # a selected edit has versions: no first frame shows it.
        self._lineage: LineageView | None = None
        self.lineage_title = QLabel(self.tr("Versions"))
        self.lineage_title.setObjectName("sectionTitle")
        self.lineage_title.hide()

        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("historyUndoBar")
        self.undo_bar.setAccessibleName(self.tr("Deleted edits"))
        self.undo_label = QLabel()
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setObjectName("historyUndoButton")
        self.undo_button.setAccessibleName(self.tr("Undo delete"))
        self.undo_button.setAccessibleDescription(self.tr("Bring the deleted edits back (Ctrl+Z)"))
        ub = QHBoxLayout(self.undo_bar)
        ub.setContentsMargins(10, 6, 6, 6)
        ub.addWidget(self.undo_label, 1)
        ub.addWidget(self.undo_button)
        self.undo_bar.hide()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_BAR_MS)
        self._undo_timer.timeout.connect(self.undo_bar.hide)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 12, 8, 8)
        lay.setSpacing(6)
        lay.addLayout(title_row)
        lay.addWidget(self.search)
        lay.addLayout(filters)
        lay.addWidget(self.empty_label, 1)  # the list goes under it (panel_list.py)
        lay.addWidget(self.lineage_title)  # the tree goes under it when first wanted
        lay.addWidget(self.undo_bar)
        self.setMinimumWidth(220)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.apply_filter)
        for b in (self.fav_button, self.failed_button, self.batch_button):
            b.toggled.connect(lambda _on: self.apply_filter())

        self._build_actions()  # attached to the list when it is built
        self.undo_button.clicked.connect(self.undo_delete)
        for sig in (model.rowsInserted, model.rowsRemoved, model.modelReset,
                    model.loadingChanged):
            sig.connect(lambda *_: self.update_empty())
        model.countChanged.connect(lambda *_: self._update_count())
        model.entryRefreshed.connect(self._on_entry_refreshed)
        # A batch opening under the current row does not move the selection.
        model.rowsInserted.connect(lambda *_: self._update_actions())
        self.update_empty()

    @staticmethod
    def _toggle(name: str, text: str, description: str) -> QToolButton:
        b = QToolButton()
        b.setObjectName(name)
        b.setText(text)
        b.setCheckable(True)
        b.setAccessibleName(text.split(" ", 1)[-1])
        b.setAccessibleDescription(description)
        b.setToolTip(description)
        b.setProperty("filterChip", True)  # styled by the theme (QToolButton[filterChip])
        return b

    # -- the list (built when first needed: panel_list.py) ----------------------------------
    @property
    def list_view(self) -> HistoryListView:
        """The list of edits, built now if it was not yet."""
        return self.build_list()[0]

    @property
    def delegate(self) -> HistoryDelegate:
        return self.build_list()[1]

    @property
    def built_list(self) -> HistoryListView | None:
        """The list if it was built (without building it)."""
        return self._list

    def build_list(self) -> tuple[HistoryListView, HistoryDelegate]:
        """Build the list (idempotent): when rows first arrive, after the first frame, or
        when something first uses it."""
        if self._list is None or self._delegate is None:
            from qwen_studio.ui.history.panel_list import build_list

            self._list, self._delegate = build_list(self)
            self.update_empty()  # shown if rows are already there
            self._update_actions()
        return self._list, self._delegate

    # -- helpers -------------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Future[T] | None:
        return self.tasks.spawn(coro)

    async def _pool(self, fn: Callable[..., T], *args: Any) -> T:
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.model.pool, lambda: fn(*args))

    def _status(self, text: str, ms: int = 6000) -> None:
        self.statusMessage.emit(text, ms)

    def _notice(self, level: NoticeLevel, message: str, hint: str = "", action_text: str = "",
                action: Callable[[], object] | None = None) -> None:
        self.noticeRequested.emit(
            Notice(NoticeKind.HISTORY, level, message, hint, action_text, action))

    # -- search and filters --------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def current_filter(self) -> HistoryFilter:
        return HistoryFilter(
            text=self.search.text(),
            favourites_only=self.fav_button.isChecked(),
            failed_only=self.failed_button.isChecked(),
            batch_id=self._batch_id if self.batch_button.isChecked() else None,
        )

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    def clear_filters(self) -> None:
        for b in (self.fav_button, self.failed_button, self.batch_button):
            b.blockSignals(True)
            b.setChecked(False)
            b.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filter()

    def update_empty(self) -> None:
        empty = self.model.rowCount() == 0
        if empty:
            flt = self.model.filter
            if self.model.is_loading():
                text = self.tr("Loading…")
            elif flt.text.strip():
                text = self.tr("No edits match “{text}”.").format(text=flt.text.strip())
            elif flt.active:
                text = self.tr("No edits match these filters.")
            else:
                text = self.tr("Your edits will appear here,\nnewest first.")
            self.empty_label.setText(text)
        elif self._list is None:
            self.build_list()  # the first rows: the list for them (it calls this again)
            return
        self.empty_label.setVisible(empty)
        if self._list is not None:
            self._list.setVisible(not empty)
        self._update_count()

    def _update_count(self) -> None:
        n = max(self.model.total, self.model.listed())
        text = "" if not n else (self.tr("{n} found").format(n=n) if self.model.filter.active
                                 else f"{n}")
        self.count_label.setText(text)
        self.count_label.setAccessibleDescription(
            (self.tr("1 edit") if n == 1 else self.tr("{n} edits").format(n=n))
            + (self.tr(" match") if self.model.filter.active else ""))

    # -- selection -----------------------------------------------------------------------------
    def selected_entries(self) -> list[HistoryEntry]:
        """The selected edits; a selected batch row stands for all its edits."""
        lv = self._list
        if lv is None:  # not built yet: nothing can be selected
            return []
        rows = sorted({i.row() for i in lv.selectionModel().selectedRows()})
        if not rows:
            cur = lv.currentIndex()
            rows = [cur.row()] if cur.isValid() else []
        out: dict[int, HistoryEntry] = {}
        for r in rows:
            row = self.model.item(r)
            for e in (row.members if isinstance(row, BatchGroup) else [row]):
                if isinstance(e, HistoryEntry):
                    out.setdefault(e.edit_id, e)
        return list(out.values())

    def current_row(self) -> HistoryEntry | BatchGroup | None:
        if self._list is None:
            return None
        cur = self._list.currentIndex()
        return self.model.item(cur.row()) if cur.isValid() else None

    def current_entry(self) -> HistoryEntry | None:
        """The one edit the current row shows (a batch row: its newest edit)."""
        row = self.current_row()
        if isinstance(row, BatchGroup):
            # From the group's tally: scanning the members on every finished edit of a
            # 1,000-photo batch was O(n) per edit.
            return row.first_with_result() or (row.members[0] if row.members else None)
        if row is None:
            sel = self.selected_entries()
            return sel[0] if sel else None
        return row

    def select_row(self, row: int, extend: bool = False) -> None:
        from PySide6.QtCore import QItemSelectionModel  # not for the first frame (~0.2 ms)

        idx = self.model.index(row)
        flags = QItemSelectionModel.SelectionFlag.Rows | (
            QItemSelectionModel.SelectionFlag.Select if extend
            else QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list_view.selectionModel().setCurrentIndex(idx, flags)
        self.list_view.scrollTo(idx)

    def select_rows(self, rows: list[int]) -> None:
        for i, row in enumerate(rows):
            self.select_row(row, extend=i > 0)

    async def select_edit(self, edit_id: int, extend: bool = False) -> bool:
        """Select an edit, loading pages (and dropping filters that hide it) as needed; an
        edit of a batch opens its batch."""
        import asyncio  # at module level for type checking only (loaded after first paint)

        for attempt in range(2):
            while (row := self.model.row_of_edit(edit_id)) < 0 and (
                    self.model.is_loading() or self.model.canFetchMore()):
                if not self.model.is_loading():
                    self.model.fetchMore(QModelIndex())
                await asyncio.sleep(0.01)
            if row >= 0:
                e = self.model.entry_for_edit(edit_id)
                group = self.model.group(e.batch_id) if e and e.batch_id else None
                if group is not None and e is not None:
                    self.model.set_expanded(group, True)
                    row = self.model.row_of(e)
                self.select_row(row, extend)
                return True
            if attempt == 0 and self.model.filter.active:
                self.clear_filters()
                continue
        self._status(self.tr("Edit #{id} is not in the history any more (deleted).").format(
            id=edit_id))
        return False

    def _selection_changed(self) -> None:
        self._update_actions()
        self.selectionChangedEntries.emit(self.selected_entries())
