"""ResultsController: which edit the compare view shows, and what can be done with it.

Decodes the "before" photo and the results in the pool (TaskRunner), keeps the last two
decoded befores (a 24 MP photo is ~100 MB decoded), frees replaced images in the pool, and
runs the result actions (save, copy, use as input, show in folder).
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMimeData, QObject, QSettings
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QWidget

from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.library import Library
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui import image_loading as il
from qwen_studio.ui.compare.compare_view import CompareView
from qwen_studio.ui.editor.state import EditorState
from qwen_studio.ui.history.model import HistoryEntry, HistoryModel
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel, Notices

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # context "MainWindow": its strings moved here

DISPLAY_MAX_SIDE = 8192  # decode results at full size (100 % zoom must be real pixels)
BEFORE_CACHE = 2  # 24 MP is ~100 MB decoded: the shown photo and the one before

StatusFn = Callable[[str], None]
UseAsInput = Callable[[Path, "int | None"], None]


def make_compare_view() -> CompareView:
    view = CompareView()
    view.setObjectName("compareView")
    if not view.accessibleName():
        view.setAccessibleName(translate("MainWindow", "Before and after"))
        view.setAccessibleDescription(translate(
            "MainWindow", "The input and the result of the selected edit"))
    return view


class ResultsController(QObject):
    def __init__(self, view: CompareView, history: HistoryModel, editor: EditorState,
                 tasks: TaskRunner, notices: Notices, settings: QSettings,
                 status: StatusFn, use_as_input: UseAsInput, dialog_parent: QWidget,
                 library: Library | None = None) -> None:
        super().__init__(dialog_parent)
        self.view, self.history, self.editor = view, history, editor
        self.tasks, self.notices, self.settings = tasks, notices, settings
        self._status, self._use_as_input = status, use_as_input
        self._dialog_parent = dialog_parent
        self.library = library  # for edits the history list has not loaded (show_edit)
        # Decoded "before" images by source path, most recent last.
        self._before_cache: OrderedDict[str, QImage] = OrderedDict()
        self._inputs_generation = 0  # drops stale "before" decodes
        self.shown_edit: int | None = None  # the edit selected (maybe still loading)
        self._after_edit: int | None = None  # the edit whose results are on screen
        self._loading: tuple[int, tuple[Path, ...]] | None = None  # (edit, results) on its way
        self._images: list[QImage] = []
        self._paths: list[Path] = []
        self._index = 0
        # Told the results on screen (edit id, paths): the results grid follows them.
        self.results_shown: Callable[[int | None, list[Path]], None] | None = None
        view.saveRequested.connect(self.save)
        view.copyRequested.connect(self.copy)
        view.useAsInputRequested.connect(self.use_as_input)
        view.revealRequested.connect(self.reveal)
        view.resultSelected.connect(self._on_result_selected)
        editor.inputsChanged.connect(self._on_inputs_changed)
        history.entryRefreshed.connect(self._on_entry_refreshed)
        editor.mask = view.parts  # Run reads the region drawn on the input from the view

    # -- what is shown -----------------------------------------------------------------------
    def _on_inputs_changed(self) -> None:
        """New inputs: the canvas shows the first one as "before", and no result."""
        self._inputs_generation += 1
        gen = self._inputs_generation
        self.shown_edit = None
        self._set_after([], [])
        self.view.parts.clear_region()
        inputs = self.editor.inputs
        if inputs:
            self.tasks.spawn(self._show_before(inputs[0].path, gen))
        else:
            self.view.set_before(None)

    async def _show_before(self, path: Path, gen: int) -> None:
        try:
            image = await self.tasks.run(il.decode_image, path, DISPLAY_MAX_SIDE)
        except QwenStudioError:
            image = None
        if image is not None:
            self._remember_before(str(path), image)
        if gen == self._inputs_generation:
            self.view.set_before(image, str(path))

    def _remember_before(self, key: str, image: QImage) -> None:
        self._before_cache[key] = image
        self._before_cache.move_to_end(key)
        # An evicted 24 MP photo takes 8-18 ms to free: let the pool do it.
        dead: list[object] = []
        while len(self._before_cache) > BEFORE_CACHE:
            dead.append(self._before_cache.popitem(last=False)[1])
        il.release_later(dead)

    def show_entry(self, edit_id: int) -> None:
        """Show an edit's before and after (the history's current row asked for it)."""
        entry = self.history.entry_for_edit(edit_id)
        if entry is None:
            return
        key = (edit_id, tuple(entry.result_paths))
        if self.shown_edit == edit_id and self._loading == key:
            return  # on its way already (a finish asks from the list and from here)
        self.shown_edit, self._loading = edit_id, key
        self.tasks.spawn(self._load_entry(entry, key))

    def _on_entry_refreshed(self, entry: HistoryEntry) -> None:
        """The shown edit finished (or its stored results arrived): its results now, whatever
        showed it (the history, the batch queue, the versions, the grid). The canvas stayed
        on "Before" when a running photo picked in the batch queue finished."""
        edit_id = entry.edit_id
        if edit_id != self.shown_edit or not entry.result_paths:
            return
        if self._after_edit == edit_id and self._paths == entry.result_paths:
            return  # these results are on screen
        self.show_entry(edit_id)

    def show_edit(self, edit_id: int) -> None:
        """Any edit of the library by id (a version in the graph, a batch member), whether
        or not the history list has loaded its row."""
        if self.history.entry_for_edit(edit_id) is not None or self.library is None:
            self.show_entry(edit_id)
            return
        self.shown_edit = edit_id
        self.tasks.spawn(self._load_record(edit_id))

    async def _load_record(self, edit_id: int) -> None:
        assert self.library is not None
        rec = await self.tasks.run(self.library.get, edit_id)
        if rec is None or self.shown_edit != edit_id:
            return
        before: QImage | None = None
        if rec.input_files:
            with contextlib.suppress(QwenStudioError):
                before = await self.tasks.run(il.decode_image, rec.input_files[0],
                                              DISPLAY_MAX_SIDE)
        images, paths = [], []
        for p in rec.result_files:
            with contextlib.suppress(QwenStudioError):
                images.append(await self.tasks.run(il.decode_image, p, DISPLAY_MAX_SIDE))
                paths.append(p)
        if self.shown_edit != edit_id:
            il.release_later([before, images])
            return
        self.view.set_before(before, rec.request.inputs[0] if rec.request.inputs else None)
        self._set_after(images, paths, edit_id)

    async def _load_entry(self, entry: HistoryEntry,
                          key: tuple[int, tuple[Path, ...]] | None = None) -> None:
        try:
            await self._load_entry_images(entry)
        finally:
            if self._loading == key:
                self._loading = None

    async def _load_entry_images(self, entry: HistoryEntry) -> None:
        job = entry.edit_id
        before: QImage | None = None
        before_path = entry.before_path()  # the library's copy survives the user's file
        # An edit just run from this window shows the input already decoded when it was
        # added: decoding a 24 MP photo again for every finished edit is pool time and GIL.
        if entry.request.inputs:
            before = self._before_cache.get(entry.request.inputs[0])
        if before is None and before_path is not None:
            before = self._before_cache.get(str(before_path))
        if before is None and before_path is not None:
            with contextlib.suppress(QwenStudioError):
                before = await self.tasks.run(il.decode_image, before_path, DISPLAY_MAX_SIDE)
        images: list[QImage] = []
        paths_ok: list[Path] = []
        for p in entry.result_paths:
            try:
                images.append(await self.tasks.run(il.decode_image, p, DISPLAY_MAX_SIDE))
                paths_ok.append(p)
            except QwenStudioError as exc:
                log.warning("could not show result %s: %s", p, exc)
        if self.shown_edit != job:
            # The user moved on meanwhile; free the decoded photos in the pool, not here.
            dead: list[object] = [before, images]
            del before, images
            il.release_later(dead)
            return
        self.view.set_before(before, entry.request.inputs[0] if entry.request.inputs else None)
        self._set_after(images, paths_ok, job)

    def _set_after(self, images: list[QImage], paths: list[Path], job: int | None = None) -> None:
        # The edit these results belong to: shown_edit moves on as soon as the user selects
        # another entry, while its images are still decoding.
        self._after_edit = job
        dead: list[object] = [self._images]  # freed in the pool (il.release_later)
        self._images, self._paths, self._index = images, paths, 0
        self.view.set_results(images, paths)
        self.view.set_result_path(paths[0] if paths else None)
        il.release_later(dead)
        if self.results_shown is not None:
            self.results_shown(job, list(paths))

    def _on_result_selected(self, index: int) -> None:
        if 0 <= index < len(self._paths):
            self._index = index
            self.view.set_result_path(self._paths[index])

    def current_result(self) -> tuple[Path, QImage] | None:
        if not self._paths:
            return None
        i = min(self._index, len(self._paths) - 1)
        return self._paths[i], self._images[i]

    def _shown_entry(self) -> HistoryEntry | None:
        """The entry whose results are on screen (not one still loading)."""
        edit_id = self._after_edit
        return self.history.entry_for_edit(edit_id) if edit_id else None

    # -- recall ------------------------------------------------------------------------------
    def recall_region(self, spec: RegionSpec | None) -> None:
        """A recalled edit's region onto the "before" photo: its stored mask (scaled to the
        photo, as the edit did) and feather, or no region for a whole-image edit."""
        if spec is None or spec.mask_sha256 is None or self.library is None:
            self.view.region.show_mask(None, spec.feather if spec is not None else None)
            return
        self.tasks.spawn(self._recall_mask(spec.mask_sha256, spec.feather))

    async def _recall_mask(self, sha256: str, feather: int) -> None:
        assert self.library is not None
        image = await self.tasks.run(stored_mask, self.library, sha256)
        if image is None:
            self._status(translate("MainWindow", "The edit's mask is no longer in the library"))
            return
        self.view.region.show_mask(image, feather)

    # -- result actions ----------------------------------------------------------------------
    def save(self) -> None:
        cur = self.current_result()
        if cur is None:
            self._status(translate(
                "MainWindow", "Nothing to save yet: run an edit or pick one in the history."))
            return
        src, _ = cur
        entry = self._shown_entry()
        stem = f"qwen-edit-{entry.edit_id}" if entry and entry.edit_id else "qwen-edit"
        if len(self._paths) > 1:
            stem += f"-{self._index + 1}"
        # Here, not at import: Pillow's format plugins and the file dialog's classes (PySide
        # builds each class named in an import) are not for the first frame.
        from PySide6.QtCore import QStandardPaths
        from PySide6.QtWidgets import QFileDialog

        from qwen_studio.core import export_formats

        folder = self.settings.value("paths/lastSaveDir", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)

        # The formats this build writes; the received one first (PNG: its pixels exactly).
        filters = export_formats.dialog_filters()
        first = export_formats.format_for_path(src) or "png"
        filters.sort(key=lambda f: f[0] != first)
        names = [f"{label} ({patterns})" for _, label, patterns in filters]
        suggestion = str(Path(str(folder)) / f"{stem}{export_formats.SUFFIXES[filters[0][0]]}")
        # The dialog asks before replacing an existing file: nothing is overwritten silently.
        target, chosen = QFileDialog.getSaveFileName(
            self._dialog_parent, translate("MainWindow", "Save result as"), suggestion,
            ";;".join(names), names[0])
        if not target:
            return
        fmt = filters[names.index(chosen)][0] if chosen in names else filters[0][0]
        path = Path(target)
        if export_formats.format_for_path(path) is None:  # no suffix we know: the filter's
            path = path.with_name(path.name + export_formats.SUFFIXES[fmt])
        self.settings.setValue("paths/lastSaveDir", str(path.parent))
        self.tasks.spawn(self.save_to(src, path, self._after_edit))

    async def save_to(self, src: Path, target: Path, edit_id: int | None = None) -> None:
        """Write the result in the format `target` names, the parameters as sent embedded
        (the library's record of the edit), in the pool."""
        entry = self.history.entry_for_edit(edit_id) if edit_id else None
        try:
            await self.tasks.run(export_result_file, src, target, self.library, edit_id,
                                 entry.request if entry is not None else None)
        except (OSError, QwenStudioError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notices.show(Notice(
                NoticeKind.SAVE_FAILED, NoticeLevel.ERROR,
                translate("MainWindow", "Could not save {file}: {error}").format(
                    file=target.name, error=reason),
                translate("MainWindow", "Choose another folder.")))
            return
        self.notices.clear(NoticeKind.SAVE_FAILED)
        self._status(translate("MainWindow", "Saved {path}").format(path=target))

    def copy(self) -> None:
        cur = self.current_result()
        if cur is None:
            self._status(translate("MainWindow", "Nothing to copy yet."))
            return
        path, image = cur
        from PySide6.QtCore import QUrl  # realised when used (~0.6 ms before the frame)

        mime = QMimeData()
        mime.setImageData(image)
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        QGuiApplication.clipboard().setMimeData(mime)
        self._status(translate("MainWindow", "Result copied: paste it as an image or as a file"))

    def use_as_input(self) -> None:
        cur = self.current_result()
        if cur is None:
            return
        # The edit on screen, whether the list has its row or it was shown by id.
        self._use_as_input(cur[0], self._after_edit)
        self._status(translate(
            "MainWindow", "The result is now the input: describe the next change"))

    def reveal(self) -> None:
        cur = self.current_result()
        if cur is not None:
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(str(cur[0].parent)))


def export_result_file(src: Path, target: Path, library: Library | None,
                       edit_id: int | None, request: EditRequest | None) -> Path:
    """One result written as `target` (format from its suffix), in the pool: the request as
    sent (its drawn seed filled in) embedded; a plain copy when nothing knows the request."""
    from qwen_studio.core import export_formats, seeds  # in the pool, at the first Save As

    record = library.get(edit_id) if library is not None and edit_id is not None else None
    if record is not None:
        request, extra = seeds.sent_request(record), seeds.record_seed_extra(record)
    else:
        extra = {}
    if request is None:
        il.copy_file(src, target)
        return target
    return export_formats.save_as(src.read_bytes(), target, request, extra=extra)


def stored_mask(library: Library, sha256: str) -> QImage | None:
    """A stored mask as a greyscale QImage (in the pool), or None if it is gone."""
    path = library.path_for_hash(sha256)
    image = QImage(str(path)) if path is not None else QImage()
    return None if image.isNull() else image.convertToFormat(QImage.Format.Format_Grayscale8)
