"""The prompt library popup: saved snippets and recent prompts, one key from the prompt box.

Type to filter (every word must match the name or the text, any case); Enter inserts the
chosen text at the cursor, Shift+Enter replaces the whole field (one undo step either
way); Esc closes. Works for the prompt and the negative prompt alike: `open_for(edit,
kind)` names the field. The popup does no I/O: it asks for its entries with `opened(kind)`
and whoever owns the PromptLibrary (in a worker thread) answers with `set_entries`; star,
delete and "save as snippet" are signals for that owner too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QIcon, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.prompt_library import RecentPrompt, Snippet
from qwen_studio.ui.editor.prompt_library_action import prompt_library_action as _library_action
from qwen_studio.ui.icons import icon
from qwen_studio.ui.punctuation import colon

_Index = QModelIndex | QPersistentModelIndex
_PREVIEW = 90


@dataclass(frozen=True)
class PromptEntry:
    """One row: a saved snippet (snippet_id set) or a recently used prompt."""

    text: str
    name: str = ""
    snippet_id: int | None = None
    starred: bool = False

    @property
    def is_snippet(self) -> bool:
        return self.snippet_id is not None


def _one_line(text: str, width: int = _PREVIEW) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


_KIND_ICONS: dict[str, QIcon] = {}


def _kind_icon(kind: str) -> QIcon:
    """A starred snippet, a snippet or a recent prompt: made once (rows repaint often)."""
    found = _KIND_ICONS.get(kind)
    if found is None:
        found = _KIND_ICONS[kind] = icon(kind, "star_on" if kind == "starred" else "muted")
    return found

class PromptEntriesModel(QAbstractListModel):
    """Snippets first (starred first), then recent prompts."""

    EntryRole = Qt.ItemDataRole.UserRole + 1
    SearchRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[PromptEntry] = []

    def set_entries(self, snippets: Sequence[Snippet], recents: Sequence[RecentPrompt]) -> None:
        self.beginResetModel()
        self._entries = [PromptEntry(s.text, s.name, s.id, s.starred) for s in snippets]
        saved = {" ".join(s.text.split()) for s in snippets}
        # A recent prompt that is also a snippet is listed once, as the snippet.
        self._entries += [PromptEntry(r.text) for r in recents
                          if " ".join(r.text.split()) not in saved]
        self.endResetModel()

    def entry(self, row: int) -> PromptEntry:
        return self._entries[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        e = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if e.is_snippet:
                return f"{e.name}  —  {_one_line(e.text, _PREVIEW - len(e.name))}"
            return _one_line(e.text)
        if role == Qt.ItemDataRole.DecorationRole:  # what the row is (read out: below)
            kind = ("starred" if e.starred else "snippet") if e.is_snippet else "history"
            return _kind_icon(kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return e.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            what = (self.tr("Starred snippet") if e.starred else self.tr("Snippet")) \
                if e.is_snippet else self.tr("Recent prompt")
            return colon(what, colon(e.name, e.text) if e.name else e.text)
        if role == self.SearchRole:
            return f"{e.name}\n{e.text}".casefold()
        if role == self.EntryRole:
            return e
        return None


class PromptFilterModel(QSortFilterProxyModel):
    """Every typed word must appear in the name or the text (any order, any case)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        hay = str(model.data(model.index(source_row, 0, source_parent),
                             PromptEntriesModel.SearchRole) or "")
        return all(w in hay for w in self._words)


class _FilterEdit(QLineEdit):
    """The filter box steers the list: arrows move, Enter/Shift+Enter apply."""

    moved = Signal(int)
    applied = Signal(bool)  # replace?

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1,
                    Qt.Key.Key_PageDown: 8, Qt.Key.Key_PageUp: -8}[Qt.Key(key)]
            self.moved.emit(step)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.applied.emit(bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            return
        super().keyPressEvent(event)


class PromptLibraryPopup(QFrame):
    opened = Signal(str)                # kind ("prompt" / "negative"): please set_entries
    applied = Signal(str, str)          # text, "insert" | "replace"
    saveRequested = Signal(str, str)    # the field's current text, kind
    starToggled = Signal(int, bool)     # snippet id, starred
    deleteRequested = Signal(int)       # snippet id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("promptLibraryPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Prompt library"))
        self._target: QPlainTextEdit | None = None
        self.kind = "prompt"

        self.entries = PromptEntriesModel(self)
        self.proxy = PromptFilterModel(self)
        self.proxy.setSourceModel(self.entries)

        self.filter_edit = _FilterEdit()
        self.filter_edit.setObjectName("promptLibraryFilter")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setPlaceholderText(self.tr("Type to filter snippets and recent prompts"))
        self.filter_edit.setAccessibleName(self.tr("Filter the prompt library"))
        self.filter_edit.setAccessibleDescription(self.tr(
            "Type words of a snippet or recent prompt; arrow keys choose, Enter inserts"))
        self.list = QListView()
        self.list.setObjectName("promptLibraryList")
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setSpacing(2)
        self.list.setIconSize(QSize(16, 16))  # what a row is, as tall as its words
        self.list.setAccessibleName(self.tr("Snippets and recent prompts"))
        self.list.setAccessibleDescription(self.tr(
            "Starred snippets first, then your snippets, then prompts you ran, newest first"))
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setFocusProxy(self.filter_edit)  # typing always filters
        self.empty_label = QLabel(self.tr("Nothing matches. Save the current prompt as a "
                                          "snippet to find it here next time."))
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        hint = QLabel(self.tr("Enter inserts at the cursor · Shift+Enter replaces · "
                              "Esc closes"))
        hint.setObjectName("promptLibraryHint")
        self.save_button = QPushButton(self.tr("Save current as snippet"))
        self.save_button.setObjectName("promptLibrarySave")
        self.save_button.setAccessibleName(self.tr("Save current as snippet"))
        self.save_button.setAccessibleDescription(
            self.tr("Keep the text of this field in the prompt library"))

        footer = QHBoxLayout()
        footer.addWidget(hint, 1)
        footer.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(6)
        lay.addWidget(self.filter_edit)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.empty_label)
        lay.addLayout(footer)
        self.resize(520, 340)

        self.filter_edit.textChanged.connect(self._on_filter)
        self.filter_edit.moved.connect(self._move)
        self.filter_edit.applied.connect(self.apply_current)
        self.list.activated.connect(lambda _i: self.apply_current(False))
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.save_button.clicked.connect(self._save_current)
        self.proxy.modelReset.connect(self._select_first)

    # -- data ------------------------------------------------------------------------------------
    def set_entries(self, snippets: Sequence[Snippet], recents: Sequence[RecentPrompt]) -> None:
        self.entries.set_entries(snippets, recents)
        self._on_filter(self.filter_edit.text())

    def visible_texts(self) -> list[str]:
        """The texts the list shows now, top to bottom (what a user sees, for tests too)."""
        return [self.current_entry_at(r).text for r in range(self.proxy.rowCount())]

    def current_entry_at(self, row: int) -> PromptEntry:
        return self.proxy.index(row, 0).data(PromptEntriesModel.EntryRole)

    def current_entry(self) -> PromptEntry | None:
        index = self.list.currentIndex()
        return index.data(PromptEntriesModel.EntryRole) if index.isValid() else None

    # -- showing ---------------------------------------------------------------------------------
    def open_for(self, edit: QPlainTextEdit, kind: str = "prompt") -> None:
        """Show under `edit`'s text cursor, for that field (prompt or negative)."""
        self._target = edit
        self.kind = kind
        self.filter_edit.clear()
        self.opened.emit(kind)
        rect = edit.cursorRect()
        pos = edit.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom() + 4))
        screen = edit.screen().availableGeometry()
        pos.setX(max(screen.left(), min(pos.x(), screen.right() - self.width())))
        if pos.y() + self.height() > screen.bottom():
            pos.setY(edit.viewport().mapToGlobal(rect.topLeft()).y() - self.height() - 4)
        self.move(pos)
        self.show()
        self.raise_()
        self.filter_edit.setFocus(Qt.FocusReason.PopupFocusReason)
        self._select_first()

    def _on_filter(self, text: str) -> None:
        self.proxy.set_query(text)
        empty = self.proxy.rowCount() == 0
        self.empty_label.setVisible(empty)
        self._select_first()

    def _select_first(self) -> None:
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def _move(self, step: int) -> None:
        n = self.proxy.rowCount()
        if n:
            row = max(0, min(self.list.currentIndex().row() + step, n - 1))
            self.list.setCurrentIndex(self.proxy.index(row, 0))

    # -- applying --------------------------------------------------------------------------------
    def apply_current(self, replace: bool = False) -> None:
        entry = self.current_entry()
        if entry is None or self._target is None:
            return
        apply_text(self._target, entry.text, replace=replace)
        self.applied.emit(entry.text, "replace" if replace else "insert")
        self.hide()
        self._target.setFocus(Qt.FocusReason.PopupFocusReason)

    def _save_current(self) -> None:
        if self._target is not None and self._target.toPlainText().strip():
            self.saveRequested.emit(self._target.toPlainText(), self.kind)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        entry = index.data(PromptEntriesModel.EntryRole) if index.isValid() else None
        if entry is None:
            return
        menu = self.snippet_menu(entry)
        menu.exec(self.list.viewport().mapToGlobal(pos))

    def snippet_menu(self, entry: PromptEntry) -> QMenu:
        """Insert, replace, and for a snippet star/unstar and delete."""
        menu = QMenu(self)
        menu.addAction(self.tr("Insert at cursor"), lambda: self.apply_current(False))
        menu.addAction(self.tr("Replace the field"), lambda: self.apply_current(True))
        sid = entry.snippet_id
        if sid is not None:
            menu.addSeparator()
            menu.addAction(self.tr("Unstar") if entry.starred else self.tr("Star"),
                           lambda: self.starToggled.emit(sid, not entry.starred))
            menu.addAction(self.tr("Delete snippet"), lambda: self.deleteRequested.emit(sid))
        else:
            menu.addSeparator()
            menu.addAction(self.tr("Save as snippet"),
                           lambda: self.saveRequested.emit(entry.text, self.kind))
        return menu

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.KeyPress and isinstance(e, QKeyEvent) \
                and e.key() == Qt.Key.Key_Escape:
            self.hide()
            if self._target is not None:
                self._target.setFocus(Qt.FocusReason.PopupFocusReason)
            return True
        return super().event(e)


def apply_text(edit: QPlainTextEdit, text: str, *, replace: bool = False) -> None:
    """Insert `text` at the cursor (a space added where it would run into a word), or
    replace the whole field; one undo step either way."""
    cursor = edit.textCursor()
    cursor.beginEditBlock()
    if replace:
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
    else:
        doc = edit.toPlainText()
        start = cursor.selectionStart()
        end = cursor.selectionEnd()
        before = doc[start - 1] if start > 0 else ""
        after = doc[end] if end < len(doc) else ""
        piece = text
        if before and not before.isspace():
            piece = " " + piece
        if after and not after.isspace() and after not in ",.;:!?，。；：！？":
            piece += " "
        cursor.insertText(piece)
    cursor.endEditBlock()
    edit.setTextCursor(cursor)


def prompt_library_action(edit: QPlainTextEdit, popup: PromptLibraryPopup,
                          kind: str = "prompt") -> QAction:
    """The action that opens `popup` for `edit` (prompt_library_action.py)."""
    return _library_action(edit, popup.open_for, kind)
