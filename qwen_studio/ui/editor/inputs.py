"""Adding, pasting, browsing and removing input photos, into an EditorState.

Files are found and thumbnailed in the pool (TaskRunner); a file that fails is named with
its reason in the drop zone and never stops the others. A drop the batch queue should take
(a folder, more photos than the model accepts) goes to `offer_batch` instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QMimeData, QObject, QSettings
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QWidget

from qwen_studio.core import paths
from qwen_studio.core.errors import InputImageError
from qwen_studio.core.pasted_files import HistoryCheck, prune_pasted
from qwen_studio.core.request import max_inputs
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui import image_loading as il
from qwen_studio.ui.editor.drop_zone import DropZone
from qwen_studio.ui.editor.state import EditorState, InputItem
from qwen_studio.ui.error_text import input_problem, input_reason

THUMB_SIDE = 256
# (dropped paths, images found, skipped with reason, the model's input limit) -> taken?
BatchOffer = Callable[[list[Path], list[Path], list[tuple[Path, str]], int], Awaitable[bool]]

translate = QCoreApplication.translate  # context "MainWindow": its strings moved here


class InputsController(QObject):
    def __init__(self, state: EditorState, drop_zone: DropZone, tasks: TaskRunner,
                 settings: QSettings, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.state, self.drop_zone, self.tasks = state, drop_zone, tasks
        self.settings = settings
        self._dialog_parent = dialog_parent
        self.offer_batch: BatchOffer | None = None
        # Which pasted files an edit's request names (the window sets it from the library):
        # those are kept when the pasted folder is pruned (core/pasted_files.py).
        self.history_check: HistoryCheck | None = None
        drop_zone.filesDropped.connect(lambda ps: self.add([Path(p) for p in ps]))
        drop_zone.imageDropped.connect(self.add_bitmap)
        drop_zone.encodedDropped.connect(self.add_encoded)
        drop_zone.browseRequested.connect(self.browse)
        drop_zone.removeRequested.connect(self.remove)
        state.modelChanged.connect(self._on_model_changed)

    # -- adding ------------------------------------------------------------------------------
    def add(self, paths: list[Path], parent_edit_id: int | None = None) -> None:
        self.tasks.spawn(self.add_async(paths, parent_edit_id))

    async def add_async(self, paths: list[Path], parent_edit_id: int | None = None) -> None:
        from qwen_studio.core.pipeline import find_images

        model = self.state.parameters.model
        limit = self.state.input_limit()
        if limit == 0:
            self.drop_zone.set_message(
                translate("MainWindow", "{model} makes images from text and takes no input image; "
                        "choose an edit model (e.g. qwen-image-edit-plus) to edit photos."
                        ).format(model=model), "warning")
            return
        images, skipped = await self.tasks.run(find_images, paths)
        if self.offer_batch is not None and await self.offer_batch(paths, images, skipped, limit):
            return  # a folder or more photos than the model takes: the batch queue
        problems = [input_problem(p.name, reason) for p, reason in skipped]
        # Decode thumbnails in the pool; a file that fails is named with its reason.
        results = await self.tasks.run_each(lambda p: il.decode_input(p, THUMB_SIDE), images)
        good: list[InputItem] = []
        for p, res in zip(images, results, strict=True):
            if isinstance(res, InputImageError):
                problems.append(input_problem(p.name, res.reason))
            elif isinstance(res, Exception):
                problems.append(translate(
                    "MainWindow", "{file}: could not be read ({error})").format(
                    file=p.name, error=type(res).__name__))
            else:
                good.append(InputItem(p, res, parent_edit_id))
        notes: list[str] = []
        if good:
            if limit == 1:
                combined = good[:1]  # single-input models: the newest drop replaces
            elif len(good) >= limit:
                combined = good
            else:
                combined = self.state.inputs + good
            if len(combined) > limit:
                notes.append(translate(
                    "MainWindow", "{model} takes at most {n} images; kept the first {n}")
                    .format(model=model, n=limit))
                combined = combined[:limit]
            self.state.set_inputs(combined)
        # One file a line, bulleted when several: three reasons run together in the narrow
        # zone read as one sentence (and "; " mixed with Chinese full-width punctuation).
        lines = problems + notes
        text = "".join(f"\n• {line}" for line in lines) if len(lines) > 1 else "".join(lines)
        self.drop_zone.set_message(text, "error" if problems else "warning")

    def add_bitmap(self, image: QImage) -> None:
        self.tasks.spawn(self._add_bitmap(image))

    async def _add_bitmap(self, image: QImage) -> None:
        if image.isNull():
            self.drop_zone.set_message(
                translate("MainWindow", "the pasted image is empty"), "error")
            return
        folder = paths.cache_dir() / "pasted"
        await self._add_pasted(folder, self.tasks.run(il.save_clipboard_image, image, folder))

    def add_encoded(self, data: QByteArray, suffix: str) -> None:
        """An encoded image (pasted or dropped): its bytes become a file, in the pool."""
        self.tasks.spawn(self._add_encoded(data, suffix))

    async def _add_encoded(self, data: QByteArray, suffix: str) -> None:
        folder = paths.cache_dir() / "pasted"
        if suffix == il.DECODE_TO_PNG:  # outside the six: decoded in the pool, kept as PNG
            await self._add_pasted(folder, self.tasks.run(il.save_decoded_bytes, data, folder))
            return
        await self._add_pasted(folder, self.tasks.run(il.save_pasted_bytes, data, suffix, folder))

    async def _add_pasted(self, folder: Path, written: Awaitable[Path]) -> None:
        """A pasted image becomes a file (then an input like any other); a folder that
        cannot take it (full disk, no rights) is said where the drop's problems are, with
        the folder and the reason, not as a task that failed."""
        try:
            path = await written
        except InputImageError as exc:  # data outside the six that does not decode
            self.drop_zone.set_message(input_reason(exc.reason), "error")
            return
        except OSError as exc:
            self.drop_zone.set_message(translate(
                "MainWindow", "the pasted image could not be kept in {folder}: {reason}")
                .format(folder=folder, reason=exc.strerror or exc), "error")
            return
        await self.add_async([path])
        # Then the folder is pruned, keeping what the inputs show and history names.
        in_use = [item.path for item in self.state.inputs]
        await self.tasks.run(prune_pasted, folder, in_use, self.history_check)

    def remove(self, index: int) -> None:
        if self.state.remove_input(index):
            self.drop_zone.set_message("")

    def browse(self) -> None:
        # Here, not at import: PySide builds each Qt class an import names (the file dialog's
        # before the first frame, for nothing).
        from PySide6.QtCore import QStandardPaths
        from PySide6.QtWidgets import QFileDialog

        from qwen_studio.core.pipeline import IMAGE_EXTENSIONS

        exts = " ".join(f"*{e}" for e in sorted(IMAGE_EXTENSIONS))
        start = self.settings.value("paths/lastOpenDir", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)
        files, _ = QFileDialog.getOpenFileNames(
            self._dialog_parent, translate("MainWindow", "Open input images"), str(start),
            translate("MainWindow", "Images ({exts});;All files (*)").format(exts=exts))
        if files:
            self.settings.setValue("paths/lastOpenDir", str(Path(files[0]).parent))
            self.add([Path(f) for f in files])

    # -- pasting -----------------------------------------------------------------------------
    def paste_from_clipboard(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            self.drop_zone.set_message(translate("MainWindow", "the clipboard is empty"), "warning")
            return
        self.paste(mime)

    def paste(self, mime: QMimeData) -> None:
        local = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        encoded = None if local else il.encoded_image(mime)
        if local:
            self.add(local)
        elif encoded is not None:
            # The file as the other app encoded it: QImage(mime.imageData()) would decode
            # it here, on the GUI thread, and the pool would encode it again. Its bytes
            # are shared, not copied, until the pool writes them.
            self.add_encoded(*encoded)
        elif mime.hasImage():  # an in-process QImage (other formats: encoded_image)
            self.add_bitmap(QImage(mime.imageData()))
        elif mime.hasText() and mime.text().strip().startswith(("/", "file:")):
            text = mime.text().strip()
            from PySide6.QtCore import QUrl  # realised when used (~0.6 ms before the frame)

            self.add([Path(QUrl(text).toLocalFile() if text.startswith("file:") else text)])
        else:
            self.drop_zone.set_message(
                translate("MainWindow", "the clipboard has no image or image file to paste"),
                "warning")

    def _on_model_changed(self, model: str) -> None:
        limit = max_inputs(model)
        inputs = self.state.inputs
        if len(inputs) > limit > 0:
            self.state.set_inputs(inputs[:limit])
            self.drop_zone.set_message(
                (translate("MainWindow", "{model} takes at most {n} images; kept the first {n}")
                 if limit > 1
                 else translate("MainWindow", "{model} takes one image; kept the first")).format(
                    model=model, n=limit), "warning")
