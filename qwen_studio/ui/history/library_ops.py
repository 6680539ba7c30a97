"""What the history panel does to the library: delete (with undo), export a gallery (of
the selection, the search or a batch), and offer to recall the parameters of a dropped PNG
made with Qwen Studio. A mixin of HistoryPanel: it uses the panel's model, widgets and
task helpers."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QLabel, QWidget

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import EditRecord
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history.entries import HistoryEntry
from qwen_studio.ui.history.model import HistoryModel
from qwen_studio.ui.notices import NoticeLevel

if TYPE_CHECKING:
    import asyncio


T = TypeVar("T")
translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")


class PanelLibraryOps:
    # Provided by HistoryPanel.
    model: HistoryModel
    settings: QSettings | None
    _dropped_request: EditRequest | None
    _last_export: Path | None
    _undo: list[list[HistoryEntry]]
    undo_action: QAction
    undo_bar: QFrame
    undo_label: QLabel
    _undo_timer: QTimer

    if TYPE_CHECKING:
        def selected_entries(self) -> list[HistoryEntry]: ...
        def select_row(self, row: int, extend: bool = False) -> None: ...
        def select_rows(self, rows: list[int]) -> None: ...
        def window(self) -> QWidget: ...
        def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Future[T] | None: ...
        async def _pool(self, fn: Callable[..., T], *args: Any) -> T: ...
        def _status(self, text: str, ms: int = 6000) -> None: ...
        def _recall(self, request: EditRequest) -> None: ...
        def _notice(self, level: NoticeLevel, message: str, hint: str = "",
                    action_text: str = "",
                    action: Callable[[], object] | None = None) -> None: ...

    # -- delete / undo -------------------------------------------------------------------------
    def delete_selected(self) -> None:
        sel = [e for e in self.selected_entries() if not e.active]
        if not sel or self.model.library is None:
            return
        first_row = min(r for e in sel if (r := self.model.row_of_edit(e.edit_id)) >= 0)
        removed = self.model.remove(sel)
        ids = [e.edit_id for e in removed]
        self.spawn(self._pool(self.model.library.delete, ids))
        self._undo.append(removed)
        self.undo_action.setEnabled(True)
        n = len(removed)
        self.undo_label.setText(translate("HistoryPanel", "Deleted 1 edit") if n == 1 else
                                translate("HistoryPanel", "Deleted {n} edits").format(n=n))
        self.undo_bar.setAccessibleDescription(
            translate("HistoryPanel", "Deleted 1 edit. Press Ctrl+Z or Undo to bring it back.")
            if n == 1 else translate("HistoryPanel", "Deleted {n} edits. Press Ctrl+Z or Undo "
                                     "to bring them back.").format(n=n))
        self.undo_bar.show()
        self._undo_timer.start()
        if self.model.rowCount():  # keep the keyboard user where they were
            self.select_row(min(first_row, self.model.rowCount() - 1))

    def undo_delete(self) -> None:
        if not self._undo or self.model.library is None:
            return
        entries = self._undo.pop()
        self.undo_action.setEnabled(bool(self._undo))
        ids = [e.edit_id for e in entries]
        self.spawn(self._pool(self.model.library.undelete, ids))
        self.model.restore(entries)
        self.undo_bar.hide()
        rows = sorted({r for e in entries if (r := self.model.row_of_edit(e.edit_id)) >= 0})
        self.select_rows(rows)
        self._status(translate("HistoryPanel", "Restored 1 edit") if len(entries) == 1 else
                     translate("HistoryPanel", "Restored {n} edits").format(n=len(entries)))

    # -- export --------------------------------------------------------------------------------
    def export_scope(self, scope: str | None = None) -> tuple[str, str]:
        """(scope, human description): 'selection', 'search' or 'batch'."""
        sel = self.selected_entries()
        if scope is None:
            scope = "selection" if len(sel) > 1 else "search"
        if scope == "selection":
            return scope, (translate("HistoryPanel", "1 selected edit") if len(sel) == 1 else
                           translate("HistoryPanel", "{n} selected edits").format(n=len(sel)))
        if scope == "batch":
            return scope, translate("HistoryPanel", "this batch")
        return "search", (translate("HistoryPanel", "the edits matching the search")
                          if self.model.filter.active
                          else translate("HistoryPanel", "the whole history"))

    def export_dialog(self, scope: str | None = None) -> None:
        # Imported here: PySide builds each Qt class an import names (~0.3-0.9 ms each), and
        # no first frame opens a dialog (test_app_launch checks they are not built for it).
        from PySide6.QtCore import QStandardPaths
        from PySide6.QtWidgets import QFileDialog

        scope, what = self.export_scope(scope)
        folder = (self.settings.value("paths/lastExportDir", "") if self.settings else ""
                  ) or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)
        suggestion = str(Path(str(folder)) / time.strftime("qwen-gallery-%Y-%m-%d"))
        target, chosen = QFileDialog.getSaveFileName(
            self.window(), translate("HistoryPanel", "Export {what} as a gallery").format(
                what=what), suggestion,
            translate("HistoryPanel", "Folder (*);;Zip archive (*.zip)"))
        if not target:
            return
        path = Path(target)
        as_zip = path.suffix.lower() == ".zip" or "zip" in (chosen or "").lower()
        if as_zip and path.suffix.lower() != ".zip":
            path = path.with_suffix(".zip")
        if self.settings is not None:
            self.settings.setValue("paths/lastExportDir", str(path.parent))
        self.spawn(self.export_gallery(scope, path, as_zip=as_zip))

    async def export_gallery(
        self, scope: str, target: Path, *, as_zip: bool = False
    ) -> Path | None:
        from qwen_studio.core.gallery import ExportError, export_gallery

        lib = self.model.library
        sel = self.selected_entries()
        flt = self.model.filter
        batch = next((e.batch_id for e in sel if e.batch_id), None)

        def records() -> list[EditRecord]:
            if lib is None:
                return []
            if scope == "selection":
                return [r for e in sel if (r := lib.get(e.edit_id)) is not None]
            if scope == "batch" and batch:
                return lib.query(batch_id=batch, limit=1_000_000)
            return lib.query(**flt.query_kwargs(), limit=1_000_000)

        def run() -> tuple[Path, int]:
            recs = records()
            out = export_gallery(recs, target, as_zip=as_zip,
                                 title=f"Qwen Studio — {time.strftime('%Y-%m-%d')}")
            n = sum(len(r.result_files) for r in recs if str(r.status.value) == EditStatus.DONE)
            return out, n

        self._status(translate("HistoryPanel", "Exporting the gallery…"), 0)
        try:
            out, n = await self._pool(run)
        except ExportError as exc:
            self._notice(NoticeLevel.ERROR, _not_exported(exc.user_message),
                         translate("HistoryPanel", "Choose an empty folder or a new file name."))
            return None
        except OSError as exc:
            self._notice(NoticeLevel.ERROR, _not_exported(str(exc.strerror or exc)),
                         translate("HistoryPanel", "Choose another folder."))
            return None
        self._last_export = out
        done = (translate("HistoryPanel", "Exported 1 image to {out}") if n == 1 else
                translate("HistoryPanel", "Exported {n} images to {out}")).format(n=n, out=out)
        self._notice(NoticeLevel.INFO, done, "", translate("HistoryPanel", "Show"),
                     lambda: _open_folder(out))
        self._status(done)
        return out

    # -- dropped images (PNG, JPEG, WebP, AVIF) carry their parameters -----------------------
    def offer_recall(self, paths: list[str]) -> None:
        """Files dropped on the window: an image made here carries what it was made with."""
        from qwen_studio.core.image_metadata import RECALL_SUFFIXES

        found = [Path(p) for p in paths if Path(p).suffix.lower() in RECALL_SUFFIXES]
        if found:
            self.spawn(self._offer_recall(found))

    async def _offer_recall(self, files: list[Path]) -> EditRequest | None:
        from qwen_studio.core.image_metadata import request_from_file

        def find() -> tuple[Path, EditRequest] | None:
            for p in files:
                with contextlib.suppress(OSError, ValueError):
                    req = request_from_file(p)
                    if req is not None:
                        return p, req
            return None

        found = await self._pool(find)
        if found is None:
            return None
        path, request = found
        self._dropped_request = request
        prompt = " ".join(request.prompt.split())
        short = prompt if len(prompt) <= 60 else prompt[:59] + "…"
        self._notice(NoticeLevel.INFO, translate(
                         "HistoryPanel", "{file} was made with Qwen Studio: “{prompt}”.").format(
                         file=path.name, prompt=short),
                     translate("HistoryPanel", "Recall its prompt and parameters into the panel?"),
                     translate("HistoryPanel", "Recall parameters"), lambda: self._recall(request))
        return request


def _open_folder(target: Path) -> None:
    """Show an export: the folder itself, or the folder holding the .zip."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(target if target.is_dir() else target.parent)))


def _not_exported(why: str) -> str:
    return translate("HistoryPanel", "Could not export the gallery: {why}").format(why=why)
