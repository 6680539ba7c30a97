"""The prompt library in the window: the popup on both prompt boxes, fed from the library.

Ctrl+Space (or Ctrl+↓, or the button beside a box) opens the popup for that box; its
snippets and recent prompts are read in the pool each time it opens, so a prompt run a
moment ago is already there. Saving, starring and deleting write in the pool too. The
starter snippets are added once, in the window's language, after the first frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from qwen_studio.core.prompt_library import PromptLibrary
from qwen_studio.ui.editor.prompt_library_popup import PromptLibraryPopup, prompt_library_action

if TYPE_CHECKING:
    from qwen_studio.core.library import Library
    from qwen_studio.qt.tasks import TaskRunner
    from qwen_studio.ui.editor.prompt_panel import PromptPanel


class PromptLibraryGlue(QObject):
    def __init__(self, library: Library, tasks: TaskRunner, prompt_panel: PromptPanel,
                 language: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.store = PromptLibrary(library)
        self.tasks = tasks
        self.popup = PromptLibraryPopup(parent)
        self.actions: list[QAction] = [
            prompt_library_action(prompt_panel.prompt_edit, self.popup, "prompt"),
            prompt_library_action(prompt_panel.negative_edit, self.popup, "negative"),
        ]
        self.popup.opened.connect(self._fill)
        self.popup.saveRequested.connect(self._save)
        self.popup.starToggled.connect(
            lambda sid, on: self._write(self.store.set_starred, sid, on))
        self.popup.deleteRequested.connect(lambda sid: self._write(self.store.delete, sid))
        tasks.spawn(self.tasks.run(self.store.seed_starter, language))

    def _fill(self, kind: str) -> None:
        async def fill() -> None:
            store = self.store
            snippets, recents = await self.tasks.run(
                lambda: (store.snippets(kind), store.recent_prompts(kind=kind)))
            if self.popup.kind == kind:  # still open for the same box
                self.popup.set_entries(snippets, recents)

        self.tasks.spawn(fill())

    def _save(self, text: str, kind: str) -> None:
        async def save() -> None:
            await self.tasks.run(lambda: self.store.add(text, kind=kind))
            self._fill(kind)

        self.tasks.spawn(save())

    def _write(self, fn: Callable[..., object], *args: object) -> None:
        async def write() -> None:
            await self.tasks.run(fn, *args)
            self._fill(self.popup.kind)

        self.tasks.spawn(write())
