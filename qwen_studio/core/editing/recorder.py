"""EditRecorder: the only code that writes an edit to the library.

Every edit gets its library row (QUEUED, inputs stored) before it is queued, so its id is
the one id it has from then on. Synchronous: the service calls it on one database thread,
so status writes land in the order they happened. `NullRecorder` hands out process-local
ids when there is no library (`qwen-studio batch` with a locked or broken library).
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qwen_studio.core import paid_results
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import InputImageError, NoteError, Reason
from qwen_studio.core.library import EditRecord, Library
from qwen_studio.core.paid_results import KeptResult
from qwen_studio.core.request import EditRequest
from qwen_studio.core.seeds import draw_seed, seed_for_sending

log = logging.getLogger(__name__)
_PAGE = 500


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def url_hash(url: str) -> str:
    """The one rule for an http(s) input: its hash is the hash of its URL (it has no file)."""
    return hashlib.sha256(url.encode()).hexdigest()


def storage_problem(exc: OSError | sqlite3.Error) -> str:
    """Why the library could not store something, in a few words for a note."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
            return "the disk is full"
        if exc.errno == errno.EROFS:
            return "the disk is read-only"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "permission denied"
        return exc.strerror or type(exc).__name__
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "full" in str(exc):
        return "the disk is full"
    return str(exc) or type(exc).__name__


class EditRecorder:
    """Writes edits to a Library. Every method is synchronous; call from a worker thread."""

    def __init__(self, library: Library, *, profile_name: str = "") -> None:
        self.library = library
        self.profile_name = profile_name

    # -- creating -------------------------------------------------------------------------
    def input_hashes(self, request: EditRequest, *, store: bool = True) -> tuple[str, ...]:
        """Store each file input in the library; a URL input is hashed, not fetched. A file
        that cannot be read is hashed by its name like a URL: the edit is recorded anyway
        and fails naming the file when it runs, as every other bad input does. Raises
        NoteError ("input_not_kept", naming the file) when the library cannot keep its
        copy (disk full, permission). `store=False` hashes every input by its name."""
        out = []
        for src in request.inputs:
            if is_url(src) or not store:
                out.append(url_hash(src))
                continue
            try:
                out.append(self.library.store_input(Path(src))[0])
            except InputImageError:
                out.append(url_hash(src))
            except (OSError, sqlite3.OperationalError) as exc:
                raise NoteError(Reason("input_not_kept", file=Path(src).name,
                                       why=storage_problem(exc))) from exc
        return tuple(out)

    def create(self, request: EditRequest, *, batch_id: str | None = None,
               parent_id: int | None = None, store_inputs: bool = True) -> int:
        """A QUEUED edit with its inputs stored (`store_inputs=False`: only named)."""
        return int(self.library.create_edit(
            request, input_hashes=self.input_hashes(request, store=store_inputs),
            profile_name=self.profile_name, parent_id=parent_id, batch_id=batch_id,
            status=EditStatus.QUEUED))

    def update_request(self, edit_id: int, request: EditRequest) -> bool:
        return bool(self.library.update_queued_request(edit_id, request))

    def remove(self, edit_id: int) -> None:
        self.library.delete(edit_id)

    # -- region masks (content-addressed, like inputs) ---------------------------------
    def store_mask(self, data: bytes) -> str:
        """Keep a region's mask PNG; returns its sha256 (RegionSpec.mask_sha256)."""
        return self.library.store_bytes(data, "png")[0]

    def mask(self, sha256: str) -> bytes | None:
        """The stored mask with this hash, or None if the library does not have it."""
        path = self.library.path_for_hash(sha256)
        try:
            return path.read_bytes() if path is not None else None
        except OSError:
            return None

    # -- transitions ----------------------------------------------------------------------
    def seed_for_sending(self, edit_id: int, asked: EditRequest) -> EditRequest:
        """The request to send: a random seed is drawn (or the one drawn for this edit
        before: a retry sends the same) and recorded before the request goes."""
        return seed_for_sending(self.library, edit_id, asked)

    def set_status(self, edit_id: int, status: EditStatus, error: str = "",
                   reason: Reason | None = None, failure: BaseException | None = None) -> None:
        """RUNNING, QUEUED (retry, resume) and the finished statuses other than DONE;
        `reason`: why, for code (stored beside the text); `failure`: the error itself (its
        codes are kept, to say it again in the window's language)."""
        try:
            self.library.set_status(edit_id, status, error=error, reason=reason,
                                    failure=failure)
        except (ValueError, KeyError) as exc:  # already done (saved while cancelling), purged
            log.info("edit %s stays as it is: %s", edit_id, exc)

    # -- results billed but not downloaded (core/paid_results.py) -------------------------
    def keep_paid(self, edit_id: int, urls: Sequence[str], *, identity: str = "",
                  answer: dict[str, Any] | None = None) -> KeptResult:
        """Remember the links of billed results whose download failed."""
        return paid_results.keep(self.library, edit_id, urls, identity=identity,
                                 answer=answer)

    def kept_paid(self, edit_id: int, identity: str = "") -> KeptResult | None:
        """Links kept for this edit; with `identity`, also another edit's of the same
        request on the same inputs (a rerun of `qwen-studio batch`), now this edit's."""
        kept = paid_results.kept_for(self.library, edit_id)
        if kept is None and identity:
            kept = paid_results.kept_by_identity(self.library, identity)
            if kept is not None:
                paid_results.take(self.library, kept, edit_id)
        return kept

    def expire_paid(self, kept: KeptResult) -> None:
        paid_results.expire(self.library, kept)

    def complete(self, edit_id: int, images: Sequence[bytes], *, revised_prompt: str = "",
                 usage: dict[str, Any] | None = None,
                 timings: dict[str, float] | None = None) -> tuple[Path, ...]:
        """Store the result bytes and mark the edit DONE (files first, then the row)."""
        paths = self.library.complete_edit(edit_id, list(images), revised_prompt=revised_prompt,
                                           usage=usage, timings=timings)
        return tuple(Path(p) for p in paths)

    def record(self, edit_id: int) -> EditRecord | None:
        """The edit as the library has it (None: not there)."""
        return self.library.get(edit_id)

    def done_result(self, edit_id: int) -> tuple[Path, ...] | None:
        """The results of an edit that is already DONE (saved before a crash), else None."""
        rec = self.library.get(edit_id)
        if rec is not None and rec.status is EditStatus.DONE:
            return tuple(rec.result_files)
        return None

    # -- batches --------------------------------------------------------------------------
    def batch_records(self, batch_id: str) -> list[EditRecord]:
        """Every live edit of the batch, oldest first (the order they were queued)."""
        out: list[EditRecord] = []
        offset = 0
        while True:
            page = self.library.query(batch_id=batch_id, offset=offset, limit=_PAGE)
            out += page
            if len(page) < _PAGE:
                break
            offset += _PAGE
        out.sort(key=lambda r: r.id)
        return out

    def recent_batch_ids(self, look_back: int) -> list[str]:
        return list(self.library.batch_ids()[:look_back])


class NullRecorder(EditRecorder):
    """No library: ids are process-local, nothing is stored, no batch can be resumed."""

    def __init__(self, first_id: int = 1) -> None:
        self.profile_name = ""
        self._ids = itertools.count(first_id)
        self._lock = threading.Lock()
        self._seeds: dict[int, int] = {}  # edit id -> seed drawn (a retry sends it again)
        self._masks: dict[str, bytes] = {}  # sha256 -> mask PNG, for this process only
        self._kept: dict[int, KeptResult] = {}  # links of billed results not downloaded
        self._kept_ids = itertools.count(1)

    def create(self, request: EditRequest, *, batch_id: str | None = None,
               parent_id: int | None = None, store_inputs: bool = True) -> int:
        with self._lock:
            return next(self._ids)

    def update_request(self, edit_id: int, request: EditRequest) -> bool:
        return True

    def remove(self, edit_id: int) -> None:
        return None

    def store_mask(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._masks[sha] = bytes(data)
        return sha

    def mask(self, sha256: str) -> bytes | None:
        with self._lock:
            return self._masks.get(sha256)

    def seed_for_sending(self, edit_id: int, asked: EditRequest) -> EditRequest:
        if asked.seed is not None:
            return asked
        with self._lock:
            seed = self._seeds.setdefault(edit_id, draw_seed())
        return asked.with_changes(seed=seed)

    def set_status(self, edit_id: int, status: EditStatus, error: str = "",
                   reason: Reason | None = None, failure: BaseException | None = None) -> None:
        return None

    def keep_paid(self, edit_id: int, urls: Sequence[str], *, identity: str = "",
                  answer: dict[str, Any] | None = None) -> KeptResult:
        # This process only: a retry in this run downloads them, a later run cannot.
        with self._lock:
            kept = KeptResult(next(self._kept_ids), edit_id, tuple(urls), time.time(),
                              identity, dict(answer or {}))
            self._kept[kept.id] = kept
        return kept

    def kept_paid(self, edit_id: int, identity: str = "") -> KeptResult | None:
        with self._lock:
            for kept in reversed(list(self._kept.values())):
                if kept.edit_id == edit_id or (identity and kept.identity == identity):
                    return kept
        return None

    def expire_paid(self, kept: KeptResult) -> None:
        with self._lock:
            if self._kept.get(kept.id) == kept:  # ours, not a library row's namesake
                del self._kept[kept.id]

    def complete(self, edit_id: int, images: Sequence[bytes], *, revised_prompt: str = "",
                 usage: dict[str, Any] | None = None,
                 timings: dict[str, float] | None = None) -> tuple[Path, ...]:
        with self._lock:  # downloaded: its kept links are spent
            for key in [k for k, v in self._kept.items() if v.edit_id == edit_id]:
                del self._kept[key]
        return ()

    def record(self, edit_id: int) -> EditRecord | None:
        return None

    def done_result(self, edit_id: int) -> tuple[Path, ...] | None:
        return None

    def batch_records(self, batch_id: str) -> list[EditRecord]:
        return []

    def recent_batch_ids(self, look_back: int) -> list[str]:
        return []


class BestEffortRecorder(EditRecorder):
    """The library as a convenience beside an output folder (`qwen-studio batch`): a write
    that fails is logged once and the edits go on; if a row cannot be created, this run
    stops recording and hands out process-local ids after the last real one."""

    def __init__(self, library: Library, *, profile_name: str = "") -> None:
        super().__init__(library, profile_name=profile_name)
        self._null: NullRecorder | None = None
        # Seeds the library could not take, and this run's masks.
        self._unrecorded_seeds = NullRecorder()
        self._last_id = 0
        self._warned = False

    def _warn(self, what: str, exc: BaseException) -> None:
        if not self._warned:
            self._warned = True
            log.warning("batch edits are not fully recorded in the history (%s): %s", what, exc)

    def create(self, request: EditRequest, *, batch_id: str | None = None,
               parent_id: int | None = None, store_inputs: bool = True) -> int:
        if self._null is None:
            try:
                try:
                    self._last_id = super().create(request, batch_id=batch_id,
                                                   parent_id=parent_id,
                                                   store_inputs=store_inputs)
                except NoteError as exc:  # no copy of an input: the output folder needs none
                    self._warn("input copy", exc)
                    self._last_id = super().create(request, batch_id=batch_id,
                                                   parent_id=parent_id, store_inputs=False)
                return self._last_id
            except Exception as exc:
                self._warn("create", exc)
                self._null = NullRecorder(self._last_id + 1_000_000)
        return self._null.create(request)

    def store_mask(self, data: bytes) -> str:
        # Kept in this process too: the edits need it even if the library cannot take it.
        sha = self._unrecorded_seeds.store_mask(data)
        if self._null is None:
            try:
                super().store_mask(data)
            except Exception as exc:
                self._warn("mask", exc)
        return sha

    def mask(self, sha256: str) -> bytes | None:
        found = self._unrecorded_seeds.mask(sha256)
        if found is None and self._null is None:
            try:
                found = super().mask(sha256)
            except Exception as exc:
                self._warn("mask", exc)
        return found

    def _recorded(self, edit_id: int) -> bool:
        return self._null is None or edit_id <= self._last_id

    def seed_for_sending(self, edit_id: int, asked: EditRequest) -> EditRequest:
        # The seed is sent and shown in the output folder even if the library cannot
        # record it (the sidecar and the PNG are this command's record).
        if self._recorded(edit_id):
            try:
                return super().seed_for_sending(edit_id, asked)
            except Exception as exc:
                self._warn("seed", exc)
        return self._unrecorded_seeds.seed_for_sending(edit_id, asked)

    def set_status(self, edit_id: int, status: EditStatus, error: str = "",
                   reason: Reason | None = None, failure: BaseException | None = None) -> None:
        if self._recorded(edit_id):
            try:
                super().set_status(edit_id, status, error, reason, failure)
            except Exception as exc:
                self._warn("status", exc)

    def keep_paid(self, edit_id: int, urls: Sequence[str], *, identity: str = "",
                  answer: dict[str, Any] | None = None) -> KeptResult:
        if self._recorded(edit_id):
            try:
                return super().keep_paid(edit_id, urls, identity=identity, answer=answer)
            except Exception as exc:
                self._warn("paid links", exc)
        return self._unrecorded_seeds.keep_paid(edit_id, urls, identity=identity,
                                                answer=answer)

    def kept_paid(self, edit_id: int, identity: str = "") -> KeptResult | None:
        found = self._unrecorded_seeds.kept_paid(edit_id, identity)
        if found is None and self._null is None:
            try:
                found = super().kept_paid(edit_id, identity)
            except Exception as exc:
                self._warn("paid links", exc)
        return found

    def expire_paid(self, kept: KeptResult) -> None:
        self._unrecorded_seeds.expire_paid(kept)
        if self._null is None:
            try:
                super().expire_paid(kept)
            except Exception as exc:
                self._warn("paid links", exc)

    def complete(self, edit_id: int, images: Sequence[bytes], *, revised_prompt: str = "",
                 usage: dict[str, Any] | None = None,
                 timings: dict[str, float] | None = None) -> tuple[Path, ...]:
        if self._recorded(edit_id):
            try:
                return super().complete(edit_id, images, revised_prompt=revised_prompt,
                                        usage=usage, timings=timings)
            except Exception as exc:
                self._warn("result", exc)
        return ()
