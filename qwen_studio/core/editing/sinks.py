"""Where a finished edit's results go, and whether an edit was already done (resume).

- `LibrarySink` (the window): the results are stored in the library by the recorder, which
  marks the edit DONE in the same step.
- `FolderSink` (`qwen-studio batch`): the results are written to the output folder (with a
  sidecar each) before the edit counts as done; the library record beside it is a
  convenience the service writes afterwards, off the edit's path.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qwen_studio import __version__
from qwen_studio.core.atomic import write_new
from qwen_studio.core.editing.progress import EditProgress, EditResult
from qwen_studio.core.editing.recorder import EditRecorder, is_url, url_hash
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.library import sniff_extension
from qwen_studio.core.paths import data_dir
from qwen_studio.core.request import EditRequest
from qwen_studio.core.seeds import seed_extra

if TYPE_CHECKING:
    # Types only: the window builds a LibrarySink on the GUI thread; the decode stack these
    # bring (Pillow) loads in the pool.
    from qwen_studio.core.editing.runner import EditOutcome
    from qwen_studio.core.output_folder import OutputFolder
    from qwen_studio.core.pipeline import PreparedImage


class ResultSink(Protocol):
    # True when save() itself records the result in the library (marks the edit DONE).
    records_result: bool

    async def already_done(self, edit: EditProgress,
                           prepared: tuple[PreparedImage, ...]) -> EditResult | None:
        """The results of an earlier run of this same edit, if it is not to be sent again."""
        ...

    async def save(self, edit: EditProgress, outcome: EditOutcome) -> EditResult:
        """Put the results where they belong; they are on disk when this returns."""
        ...


async def _in(executor: Executor | None, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(executor, partial(fn, *args,
                                                                              **kwargs))


class LibrarySink:
    records_result = True

    def __init__(self, recorder: EditRecorder, executor: Executor | None = None) -> None:
        self.recorder = recorder
        self.executor = executor

    async def already_done(self, edit: EditProgress,
                           prepared: tuple[PreparedImage, ...]) -> EditResult | None:
        paths = await _in(self.executor, self.recorder.done_result, edit.edit_id)
        return EditResult(paths) if paths is not None else None

    async def save(self, edit: EditProgress, outcome: EditOutcome) -> EditResult:
        result = outcome.result
        # The pool, not the database thread: saves (hash, write, fsync) run side by side.
        # A status write racing it cannot undo DONE (Library.set_status refuses).
        paths = await _in(self.executor, self.recorder.complete, edit.edit_id,
                          list(outcome.images), revised_prompt=result.revised_prompt,
                          usage=dict(result.usage), timings=dict(outcome.timings))
        return EditResult(tuple(paths), result.revised_prompt, dict(result.usage),
                          dict(outcome.timings), outcome.request.seed)


class FolderSink:
    """Results as files in an output folder; a rerun skips inputs whose same edit is there."""

    records_result = False

    def __init__(self, folder: OutputFolder, endpoint: Endpoint,
                 executor: Executor | None = None, *, stems: dict[str, str] | None = None,
                 ) -> None:
        self.folder = folder
        self.endpoint = endpoint
        self.executor = executor
        self.stems = stems or {}  # label -> file name stem
        self.done_before = folder.done_identities()

    async def already_done(self, edit: EditProgress,
                           prepared: tuple[PreparedImage, ...]) -> EditResult | None:
        identity = edit.request.identity(tuple(p.sha256 for p in prepared))
        return EditResult(()) if identity in self.done_before else None

    def images_done_before(self, requests: list[EditRequest]) -> list[int]:
        """For each request (as asked), how many of its results the folder already holds
        (0: not done). Hashes every file input: call in a worker thread. A batch budget
        counts these as spent, so re-running a batch cannot spend its budget twice."""
        from qwen_studio.core.output_folder import SIDECAR_FORMAT  # CLI only: not at start-up
        from qwen_studio.core.pipeline import file_sha256

        counts: dict[str, int] = {}
        for sidecar in self.folder.directory.glob("*.json"):
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
                if meta.get("format") != SIDECAR_FORMAT:
                    continue
                identity = str(meta["identity"])
                count = int(meta.get("result_count", 1))
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue
            if identity in self.done_before:
                counts[identity] = max(counts.get(identity, 0), count)
        out = []
        for request in requests:
            try:
                hashes = tuple(url_hash(s) if is_url(s) else file_sha256(s)
                               for s in request.inputs)
            except OSError:
                out.append(0)  # unreadable: it fails when it runs, costing nothing
                continue
            out.append(counts.get(request.identity(hashes), 0))
        return out

    def _stem(self, edit: EditProgress) -> str:
        if edit.label in self.stems:
            return self.stems[edit.label]
        return "+".join(Path(s).stem for s in edit.request.inputs) or f"edit-{edit.edit_id}"

    async def save(self, edit: EditProgress, outcome: EditOutcome) -> EditResult:
        # `request` is the request as sent (its drawn seed filled in): what the sidecar and
        # the PNG say. The identity is the request as asked ("random"), so a re-run with
        # the seed left random finds this result instead of sending it again.
        request, prepared, result = outcome.request, outcome.inputs, outcome.result
        identity = edit.request.identity(tuple(p.sha256 for p in prepared))
        base = self.folder.reserve_base(self._stem(edit), len(outcome.images))
        paths: list[Path] = []
        for k, image in enumerate(outcome.images, start=1):
            sidecar = {
                "identity": identity,
                "result_index": k,
                "result_count": len(outcome.images),
                "request": request.to_dict(),
                **seed_extra(edit.request),
                "model": request.model,
                "style": self.endpoint.style,
                "endpoint": self.endpoint.base_url,
                "inputs": [{"path": str(Path(p.source).resolve()), "sha256": p.sha256}
                           for p in prepared],
                "revised_prompt": result.revised_prompt,
                "usage": result.usage,
                "request_id": result.request_id,
                "timings": outcome.timings,
                "created": time.time(),
                "app_version": __version__,
            }
            if outcome.region is not None:  # a region edit: the spec, crop box and sizes
                sidecar["region"] = outcome.region
            try:  # on disk (atomically) before the edit is reported done
                saved = await _in(self.executor, self.folder.save, base, k, image, request,
                                  sidecar)
            except OSError as exc:  # disk full, folder removed or read-only, ...
                raise QwenStudioError(
                    f"the result could not be saved in {self.folder.directory} "
                    f"({exc.strerror or type(exc).__name__})") from None
            paths.append(saved.image)
        return EditResult(tuple(paths), result.revised_prompt, dict(result.usage),
                          dict(outcome.timings), request.seed)


def keep_unsaved(edit_id: int, images: Sequence[bytes], why: BaseException) -> QwenStudioError:
    """The results were paid for but their sink could not store them: keep the bytes in
    the app's data folder and return the error that names them (synchronous)."""
    head = why.user_message if isinstance(why, QwenStudioError) else (
        "the result could not be saved ("
        + (why.strerror if isinstance(why, OSError) and why.strerror else type(why).__name__)
        + ")")
    folder: Path | str = "the app's data folder"
    kept: list[str] = []
    try:
        folder = data_dir() / "unsaved"
        for k, data in enumerate(images, start=1):
            ext = sniff_extension(bytes(data[:16])) or "bin"
            kept.append(str(write_new(folder / f"edit-{edit_id}-{k}.{ext}", bytes(data))))
    except OSError as exc:
        return QwenStudioError(f"{head}, nor kept in {folder} "
                               f"({exc.strerror or type(exc).__name__})")
    return QwenStudioError(f"{head}; it was kept in " + ", ".join(kept),
                           hint="Free some space or fix the folder, then copy it from there.")
