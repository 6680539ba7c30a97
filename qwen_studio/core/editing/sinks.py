"""Where a finished edit's results go, and whether an edit was already done (resume).

- `LibrarySink` (the window): the results are stored in the library by the recorder, which
  marks the edit DONE in the same step.
- `FolderSink` (`qwen-studio batch`): the results are written to the output folder (with a
  sidecar each) before the edit counts as done; the library record beside it is a
  convenience the service writes afterwards, off the edit's path. It also keeps the
  folder's promises to other processes and to the user's money (core/output_folder.py):
  the folder must be writable before anything is sent; each edit is claimed before it is
  sent (a second run on the folder, or the same photo twice, pays once); results kept
  elsewhere when the folder was full are saved instead of bought again; a result the
  folder cannot take is kept (keep_unsaved) and the save raises OutputUnavailableError,
  on which the service stops sending the batch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qwen_studio import __version__
from qwen_studio.core.editing.progress import EditProgress, EditResult
from qwen_studio.core.editing.queue import SkipEdit
from qwen_studio.core.editing.recorder import EditRecorder, is_url, url_hash
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.core.errors import Reason
from qwen_studio.core.request import EditRequest
from qwen_studio.core.seeds import seed_extra

if TYPE_CHECKING:
    # Types only: the window builds a LibrarySink on the GUI thread; the decode stack these
    # bring (Pillow) and the output folder's rules load where FolderSink runs (the CLI).
    from qwen_studio.core.editing.runner import EditOutcome
    from qwen_studio.core.library import Library
    from qwen_studio.core.output_claims import ClaimOutcome
    from qwen_studio.core.output_folder import OutputFolder, OutputUnavailableError
    from qwen_studio.core.pipeline import PreparedImage

log = logging.getLogger(__name__)


class ResultSink(Protocol):
    # True when save() itself records the result in the library (marks the edit DONE).
    records_result: bool
    # True when a failed save stops the batch (OutputUnavailableError): an edit keeps its
    # slot until save() calls `written` (its bytes took their room on disk, see save()).
    saves_gate_sending: bool

    async def already_done(self, edit: EditProgress, prepared: tuple[PreparedImage, ...],
                           *, first_run: bool = False,
                           then: Callable[[], None] | None = None) -> EditResult | None:
        """The results of an earlier run of this same edit, if it is not to be sent again.
        `first_run`: the edit was recorded by this session and has not run before.
        `then`: work the edit does next when it is to be sent, which a sink that makes a
        trip to its executor here may run at the end of it (one trip fewer per edit); the
        caller does it itself when the sink did not."""
        ...

    async def save(self, edit: EditProgress, outcome: EditOutcome, *,
                   written: Callable[[], None] | None = None,
                   refused: Callable[[], None] | None = None) -> EditResult:
        """Put the results where they belong; they are on disk when this returns.
        saves_gate_sending sinks call `written` (any thread, at most once) when every
        result's bytes are written and only syncing them is left, and `refused` (on the
        loop) as soon as the output refuses one, before keeping it elsewhere."""
        ...

    def release(self, edit: EditProgress) -> None:
        """The edit is over (saved, failed or cancelled): give up what already_done took
        for it (a claim). Called by the service in a finally; idempotent."""
        ...

    async def flush(self) -> None:
        """Until what release() started has landed (the service's flush and close)."""
        ...


async def _in(executor: Executor | None, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(executor, partial(fn, *args,
                                                                              **kwargs))


class LibrarySink:
    records_result = True
    saves_gate_sending = False

    def __init__(self, recorder: EditRecorder, executor: Executor | None = None) -> None:
        self.recorder = recorder
        self.executor = executor

    async def already_done(self, edit: EditProgress, prepared: tuple[PreparedImage, ...],
                           *, first_run: bool = False,
                           then: Callable[[], None] | None = None) -> EditResult | None:
        if first_run:  # only this session writes it: not saved yet (no trip to the pool)
            return None
        paths = await _in(self.executor, self.recorder.done_result, edit.edit_id)
        return EditResult(paths) if paths is not None else None

    async def save(self, edit: EditProgress, outcome: EditOutcome,
                   **_: Callable[[], None] | None) -> EditResult:  # written, refused
        result = outcome.result
        # The pool, not the database thread: saves (hash, write, fsync) run side by side.
        # A status write racing it cannot undo DONE (Library.set_status refuses).
        paths = await _in(self.executor, self.recorder.complete, edit.edit_id,
                          list(outcome.images), revised_prompt=result.revised_prompt,
                          usage=dict(result.usage), timings=dict(outcome.timings))
        return EditResult(tuple(paths), result.revised_prompt, dict(result.usage),
                          dict(outcome.timings), outcome.request.seed)

    def release(self, edit: EditProgress) -> None:
        return None

    async def flush(self) -> None:
        return None


class FolderSink:
    """Results as files in an output folder; a rerun skips inputs whose same edit is there."""

    records_result = False
    saves_gate_sending = True

    def __init__(self, folder: OutputFolder, endpoint: Endpoint,
                 executor: Executor | None = None, *, stems: dict[str, str] | None = None,
                 library: Library | None = None) -> None:
        """Raises OutputUnavailableError when the folder cannot take a result now: nothing
        is to be sent that cannot be saved. `library` (optional) is where a result the
        folder cannot take is kept, and where a killed run's edits are completed."""
        folder.check_writable()
        self.folder = folder
        self.endpoint = endpoint
        self.executor = executor
        self.stems = stems or {}  # label -> file name stem
        self.library = library
        self.done_before = folder.done_identities()
        self._claims: dict[int, str] = {}  # edit id -> the identity it claimed
        self._releasing: set[asyncio.Future[None]] = set()  # claims being removed

    async def already_done(self, edit: EditProgress, prepared: tuple[PreparedImage, ...],
                           *, first_run: bool = False,
                           then: Callable[[], None] | None = None) -> EditResult | None:
        """None: send it (the edit's identity is now claimed, until release()). Raises
        SkipEdit when another input of this run or another process has it, or when the
        folder got it meanwhile; saves results kept from a full folder instead. `then`
        runs in the claim's trip once the edit is claimed and to be sent."""
        identity = edit.request.identity(tuple(p.sha256 for p in prepared))
        if identity in self.done_before:
            await self._complete_interrupted(identity)
            return EditResult(())
        # One process sends each input: claimed in the pool with the check below, not on
        # the event loop (files created, linked, removed: ~1 ms a claim on a busy machine).
        job = asyncio.get_running_loop().run_in_executor(self.executor, self._claim_and_check,
                                                         identity, then)
        try:
            claim, done, kept = await asyncio.shield(job)
        except asyncio.CancelledError:  # the claim may still land: give it up then
            job.add_done_callback(partial(self._release_if_claimed, identity))
            raise
        if not claim.claimed:
            from qwen_studio.core.ownership import this_process

            if claim.owner == this_process():  # same content and request twice
                raise SkipEdit(Reason("duplicate_input"))
            raise SkipEdit(Reason("claimed_elsewhere",
                                  pid=claim.owner.pid if claim.owner else "unknown"))
        self._claims[edit.edit_id] = identity
        try:
            if done:  # another run's
                raise SkipEdit(Reason("already_in_output"))
            if kept:  # paid for by a run whose output was full: saved, not bought again
                paths = await self._save_kept(edit, prepared, identity, kept)
                raise SkipEdit(Reason("kept_saved"), EditResult(tuple(paths)))
        except BaseException:
            self.release(edit)
            raise
        return None

    def _claim_and_check(self, identity: str, then: Callable[[], None] | None = None
                         ) -> tuple[ClaimOutcome, bool, list[Path]]:
        """Claim the edit; once claimed, whether the folder has it or results kept
        elsewhere (_done_or_kept), and `then` when neither. One trip to the pool per edit."""
        claim = self.folder.claims.claim(identity)
        if not claim.claimed:
            return claim, False, []
        try:
            done, kept = self._done_or_kept(identity)
            if then is not None and not (done or kept):
                then()
        except BaseException:
            self._release_claim(identity)
            raise
        return claim, done, kept

    def _release_if_claimed(self, identity: str,
                            job: asyncio.Future[tuple[ClaimOutcome, bool, list[Path]]]
                            ) -> None:
        if not job.cancelled() and job.exception() is None and job.result()[0].claimed:
            self._release_later(identity)

    def _done_or_kept(self, identity: str) -> tuple[bool, list[Path]]:
        """Whether the folder has the edit's results now, else its results kept elsewhere:
        one trip to the pool per edit, not two (each waits its turn behind saves)."""
        if self.folder.is_done(identity):
            return True, []
        return False, self.folder.kept_results(identity)

    def release(self, edit: EditProgress) -> None:
        identity = self._claims.pop(edit.edit_id, None)
        if identity is not None:
            self._release_later(identity)

    def _release_later(self, identity: str) -> None:
        """Remove our claim in the pool (flush() waits for it); the edit's result, if
        any, is on disk already."""
        try:
            job = asyncio.get_running_loop().run_in_executor(self.executor,
                                                             self._release_claim, identity)
        except RuntimeError:  # no loop, or the pool is shut down: here and now
            self._release_claim(identity)
            return
        self._releasing.add(job)
        job.add_done_callback(self._releasing.discard)

    def _release_claim(self, identity: str) -> None:
        try:
            self.folder.claims.release(identity)
        except (OSError, ValueError) as exc:  # a stale claim is swept by the next run
            log.warning("could not release the claim on %s: %s", identity, exc)

    async def flush(self) -> None:
        """Until the claims given up so far are removed."""
        if self._releasing:
            await asyncio.gather(*list(self._releasing), return_exceptions=True)

    async def _complete_interrupted(self, identity: str) -> None:
        """A killed run saved this result but left its edit INTERRUPTED in the history."""
        library = self.library
        if library is None:
            return

        from qwen_studio.core.library_recovery import complete_interrupted

        def complete() -> None:
            images = self.folder.results_for(identity)
            if images:
                complete_interrupted(library, identity, images)

        try:
            await _in(self.executor, complete)
        except Exception as exc:  # the history's bookkeeping must not stop the batch
            log.warning("could not complete the interrupted edit %s: %s", identity, exc)

    async def _save_kept(self, edit: EditProgress, prepared: tuple[PreparedImage, ...],
                         identity: str, kept: list[Path]) -> list[Path]:
        request = edit.request
        base = self.folder.reserve_base(self._stem(edit), len(kept))
        paths = []
        for k, path in enumerate(kept, start=1):
            sidecar = {"identity": identity, "result_index": k, "result_count": len(kept),
                       "request": request.to_dict(), "model": request.model,
                       "style": self.endpoint.style, "endpoint": self.endpoint.base_url,
                       "inputs": [{"path": str(Path(p.source).resolve()), "sha256": p.sha256}
                                  for p in prepared],
                       "kept_from": str(path), "created": time.time(),
                       "app_version": __version__}
            data = await _in(self.executor, path.read_bytes)
            saved = await _in(self.executor, self.folder.save, base, k, data, request, sidecar)
            paths.append(saved.image)
        return paths

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

    async def save(self, edit: EditProgress, outcome: EditOutcome, *,
                   written: Callable[[], None] | None = None,
                   refused: Callable[[], None] | None = None) -> EditResult:
        # `request` is the request as sent (its drawn seed filled in): what the sidecar and
        # the PNG say. The identity is the request as asked ("random"), so a re-run with
        # the seed left random finds this result instead of sending it again.
        identity = edit.request.identity(tuple(p.sha256 for p in outcome.inputs))
        # One trip to the pool writes every result and its sidecar (built there too: the
        # inputs' resolved paths cost a stat per path component), then gives up the
        # edit's claim once they are all written (release() has nothing left to do).
        claimed = self._claims.pop(edit.edit_id, None)
        try:
            paths, failed = await _in(self.executor, self._write_results, edit, outcome,
                                      identity, claimed, written)
        except asyncio.CancelledError:
            raise  # the trip goes on: it gives the claim up once the results are written
        except BaseException:
            if claimed is not None:  # not written: release() gives it up
                self._claims[edit.edit_id] = claimed
            raise
        if failed is not None:  # full, read-only, removed: keep what was not saved
            if refused is not None:  # sends stop now, not after keeping it (a trip)
                refused()
            if claimed is not None:
                self._claims[edit.edit_id] = claimed
            raise await self._keep(failed, outcome.images[len(paths):], identity) from None
        result = outcome.result
        return EditResult(tuple(paths), result.revised_prompt, dict(result.usage),
                          dict(outcome.timings), outcome.request.seed)

    def _write_results(self, edit: EditProgress, outcome: EditOutcome, identity: str,
                       claimed: str | None = None, written: Callable[[], None] | None = None
                       ) -> tuple[list[Path], OutputUnavailableError | None]:
        """Each result on disk (atomically) with its sidecar, in order; stops at the first
        the folder cannot take, returning the saved paths and why. Once all are written,
        the `claimed` identity's claim is removed (a run that claims it now finds them);
        `written` once the last image's bytes are written, before its fsync."""
        from qwen_studio.core.output_folder import OutputUnavailableError

        request, prepared, result = outcome.request, outcome.inputs, outcome.result
        base = self.folder.reserve_base(self._stem(edit), len(outcome.images))
        inputs = [{"path": str(Path(p.source).resolve()), "sha256": p.sha256}
                  for p in prepared]
        asked = request.to_dict()
        paths: list[Path] = []
        for k, image in enumerate(outcome.images, start=1):
            sidecar = {
                "identity": identity,
                "result_index": k,
                "result_count": len(outcome.images),
                "request": asked,
                **seed_extra(edit.request),
                "model": request.model,
                "style": self.endpoint.style,
                "endpoint": self.endpoint.base_url,
                "inputs": inputs,
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
                saved = self.folder.save(base, k, image, request, sidecar,
                                         written=None if k < len(outcome.images) else written)
            except OutputUnavailableError as exc:
                return paths, exc
            paths.append(saved.image)
        if claimed is not None:
            self._release_claim(claimed)
        return paths, None

    async def _keep(self, exc: OutputUnavailableError, images: tuple[bytes, ...],
                    identity: str) -> OutputUnavailableError:
        """Paid for but unsaved: keep the bytes (the library's store, else the app's data
        folder) with a ledger entry, so the resumed run saves them instead of paying again.
        The error says where they are (core.unsaved: the one keep-safe mechanism)."""
        from qwen_studio.core.output_folder import OutputUnavailableError
        from qwen_studio.core.unsaved import keep_unsaved

        kept = await _in(self.executor, keep_unsaved, images, self.library,
                         folder=self.folder.directory, identity=identity)
        where = ("; kept in " + ", ".join(map(str, kept)) if kept
                 else "; it could not be kept anywhere else either")
        return OutputUnavailableError(exc.user_message + where, hint=exc.hint,
                                      disk_full=exc.disk_full, kept=kept)
