"""The prompt library in the window: the popup on both prompt boxes, fed from the library.

Ctrl+Space (or Ctrl+↓, or the button beside a box) opens the popup for that box; its
snippets and recent prompts are read in the pool each time it opens, so a prompt run a
moment ago is already there. Saving, starring and deleting write in the pool too. The
starter snippets are added once, in the window's language, when it first opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from qwen_studio.qt.pool_calls import PoolCalls
from qwen_studio.ui.editor.prompt_library_action import prompt_library_action

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from qwen_studio.core.library import Library
    from qwen_studio.core.prompt_library import PromptLibrary, RecentPrompt, Snippet
    from qwen_studio.ui.editor.prompt_library_popup import PromptLibraryPopup
    from qwen_studio.ui.editor.prompt_panel import PromptEdit, PromptPanel


class PromptLibraryGlue(QObject):
    def __init__(self, library: Library, pool: Executor, prompt_panel: PromptPanel,
                 language: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._library = library
        self._store: PromptLibrary | None = None  # with the popup: when first opened
        self._calls = PoolCalls(pool, self)  # no asyncio: results come back as a signal
        self._parent = parent
        self._popup: PromptLibraryPopup | None = None  # built when first opened
        self.actions: list[QAction] = [
            prompt_library_action(prompt_panel.prompt_edit, self._open_for, "prompt")]
        # The negative prompt's box is built when first opened or given text.
        if prompt_panel.negative_built is not None:
            self._add_negative(prompt_panel.negative_built)
        prompt_panel.negativeBuilt.connect(self._add_negative)
        self._language = language
        self._seeded = False  # the starter set is added (once per library) at the first open

    def _add_negative(self, edit: PromptEdit) -> None:
        self.actions.append(prompt_library_action(edit, self._open_for, "negative"))

    @property
    def store(self) -> PromptLibrary:
        if self._store is None:
            from qwen_studio.core.prompt_library import PromptLibrary

            self._store = PromptLibrary(self._library)
        return self._store

    @property
    def popup(self) -> PromptLibraryPopup:
        """The popup, built on first use: nothing of it shows in the first frame, and its
        module and widgets cost ~3 ms there."""
        if self._popup is None:
            from qwen_studio.ui.editor.prompt_library_popup import PromptLibraryPopup

            popup = self._popup = PromptLibraryPopup(self._parent)
            popup.opened.connect(self._fill)
            popup.saveRequested.connect(
                lambda text, kind: self._write(lambda: self.store.add(text, kind=kind)))
            popup.starToggled.connect(
                lambda sid, on: self._write(lambda: self.store.set_starred(sid, on)))
            popup.deleteRequested.connect(
                lambda sid: self._write(lambda: self.store.delete(sid)))
        return self._popup

    def _open_for(self, edit: QPlainTextEdit, kind: str) -> None:
        self.popup.open_for(edit, kind)

    def _fill(self, kind: str) -> None:
        store, seed, language = self.store, not self._seeded, self._language
        self._seeded = True

        def read() -> tuple[list[Snippet], list[RecentPrompt]]:
            if seed:
                store.seed_starter(language)
            return store.snippets(kind), store.recent_prompts(kind=kind)

        def show(entries: tuple[list[Snippet], list[RecentPrompt]]) -> None:
            if self.popup.kind == kind:  # still open for the same box
                self.popup.set_entries(*entries)

        self._calls.submit(read, show)

    def _write(self, change: Callable[[], object]) -> None:
        self._calls.submit(change, lambda _result: self._fill(self.popup.kind))
