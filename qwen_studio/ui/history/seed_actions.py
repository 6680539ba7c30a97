""""Reuse seed" and "Vary" on a history row: the seed an edit was actually sent with.

Reuse seed puts that seed into the parameters' seed box (nothing else changes); Vary runs
the same edit again with the next seed, a new edit beside it (same parent). The library's
record says which seed went out (`EditRecord.seed`: the drawn one when the user left it
random), so both read the record in the pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction

from qwen_studio.core.library_records import request_with_stored_inputs
from qwen_studio.ui.history.entries import HistoryEntry

if TYPE_CHECKING:
    from qwen_studio.ui.history.panel import HistoryPanel

translate = QCoreApplication.translate


def not_promised_note() -> str:
    """seeds.NOT_PROMISED, translated (the same words: a test keeps them in step)."""
    return translate("HistoryPanel", "The service does not promise identical images for the "
                     "same seed: it makes a repeat likelier, not certain.")


class SeedActions(QObject):
    """The two actions, added to the history list (shortcuts) and its context menu."""

    seedReuseRequested = Signal(int)  # the seed to put into the parameters' seed box

    def __init__(self, panel: HistoryPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        note = not_promised_note()
        self.reuse_action = self._action(
            translate("HistoryPanel", "Reuse &seed"), "historyReuseSeedAction",
            translate("HistoryPanel", "Put the seed this edit was sent with into the "
                      "parameters") + "\n" + note, self.reuse_current)
        self.vary_action = self._action(
            translate("HistoryPanel", "&Vary"), "historyVaryAction",
            translate("HistoryPanel", "Run this edit again with the next seed") + "\n" + note,
            self.vary_current)
        panel.selectionChangedEntries.connect(self._update)
        self._update(panel.selected_entries())

    def _action(self, text: str, name: str, tip: str, slot: Callable[[], None]) -> QAction:
        act = QAction(text, self)
        act.setObjectName(name)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda _c=False: slot())
        self.panel.add_list_action(act)
        return act

    def actions(self) -> tuple[QAction, QAction]:
        return self.reuse_action, self.vary_action

    def _update(self, selected: list[HistoryEntry]) -> None:
        one = len(selected) == 1
        self.reuse_action.setEnabled(one)
        self.vary_action.setEnabled(one)

    def reuse_current(self) -> None:
        entry = self.panel.current_entry()
        if entry is not None:
            self.panel.spawn(self._reuse(entry))

    async def _reuse(self, entry: HistoryEntry) -> None:
        record = await self.panel._record(entry)
        seed = record.seed if record is not None else entry.request.seed
        if seed is None:  # an edit from before seeds were kept, sent without one
            self.panel.statusMessage.emit(translate(
                "HistoryPanel", "This edit was sent without a seed: nothing to reuse"), 5000)
            return
        self.seedReuseRequested.emit(seed)
        self.panel.statusMessage.emit(
            translate("HistoryPanel", "Seed {seed} is in the parameters").format(seed=seed), 5000)

    def vary_current(self) -> None:
        entry = self.panel.current_entry()
        if entry is not None:
            self.panel.spawn(self._vary(entry))

    async def _vary(self, entry: HistoryEntry) -> None:
        record = await self.panel._record(entry)
        if record is None:
            request = entry.request
        else:
            seed = record.seed
            from qwen_studio.core import seeds  # secrets -> hashlib: not at start-up

            request = request_with_stored_inputs(record).with_changes(
                seed=None if seed is None else seeds.next_seed(seed))
        self.panel.rerunRequested.emit(request, entry.parent_id)
