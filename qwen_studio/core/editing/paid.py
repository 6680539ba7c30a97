"""The service's side of results billed but not downloaded (core/paid_results.py keeps
their links in the library): keeping the links when a download or save fails, and
downloading them again on Retry instead of sending (and paying for) the edit again."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor
from functools import partial
from typing import TYPE_CHECKING

from qwen_studio.core.editing.queue import EditContext
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.error_record import error_json
from qwen_studio.core.errors import NoteError, QwenStudioError, Reason
from qwen_studio.core.paid_results import KeptResult, NotDownloaded, answer_of, link_text
from qwen_studio.core.request import EditRequest

if TYPE_CHECKING:
    from qwen_studio.core.editing.runner import EditOutcome, EditRunner
    from qwen_studio.core.pipeline import PreparedImage
    from qwen_studio.core.region_step import RegionStep

log = logging.getLogger("qwen_studio.core.editing.service")
KEPT_HINT = ("It was paid for and its link is kept: Retry downloads it; nothing is sent "
             "or charged again.")
LOST_HINT = "Retry sends the edit again; that is charged again."


async def fetch_kept(recorder: EditRecorder, db: Executor, ctx: EditContext,
                     runner: EditRunner, request: EditRequest,
                     prepared: tuple[PreparedImage, ...], region: RegionStep | None,
                     kept: KeptResult) -> EditOutcome:
    """Download results billed before from their kept links. A dead or too old link
    is marked expired (still paid for) and the edit fails saying a Retry sends it
    again; any other failure keeps the links for the next Retry."""
    loop = asyncio.get_running_loop()
    why: BaseException = NoteError(Reason("link_expired"))
    if not kept.too_old():
        seed = kept.answer.get("seed")
        sent = (request.with_changes(seed=int(seed))
                if request.seed is None and isinstance(seed, int) else request)
        try:
            return await runner.fetch(sent, kept.generation(), prepared, region=region,
                                      asked=request,
                                      on_stage=lambda s: ctx.stage(s, max_attempts=1))
        except Exception as cause:
            exc = NotDownloaded(kept.generation(), cause)
            if not exc.link_useless:
                log.warning("edit %s: kept result %s still not downloaded: %s",
                            ctx.progress.edit_id, link_text(kept.urls[0]), exc.cause)
                raise NoteError(Reason("paid_not_downloaded", **why_params(exc.cause)),
                                hint=KEPT_HINT) from None
            why = exc.cause
    await loop.run_in_executor(db, recorder.expire_paid, kept)
    raise NoteError(Reason("paid_result_lost", **why_params(why)), hint=LOST_HINT)


async def keep_links(recorder: EditRecorder, db: Executor, edit_id: int, exc: NotDownloaded,
                     identity: str, sent: EditRequest) -> QwenStudioError:
    """Billed, not downloaded: keep the links (before the edit is reported failed) and
    return the error that says so. A useless link is recorded as paid, not kept."""
    cause = exc.cause
    urls = exc.urls
    if urls is None:  # an inline image that cannot be read: nothing to fetch again
        return cause if isinstance(cause, QwenStudioError) else QwenStudioError(
            f"The result could not be read ({type(cause).__name__})")
    answer = {**answer_of(exc.result), "seed": sent.seed}
    try:
        kept = await asyncio.get_running_loop().run_in_executor(db, partial(
            recorder.keep_paid, edit_id, urls, identity=identity, answer=answer))
        if exc.link_useless:
            await asyncio.get_running_loop().run_in_executor(db, recorder.expire_paid, kept)
    except Exception as err:  # the history cannot take them either: say what was lost
        log.warning("edit %s: the links of its paid result %s could not be kept: %s",
                    edit_id, link_text(urls[0]), err)
        return cause if isinstance(cause, QwenStudioError) else QwenStudioError(
            why_text(cause))
    log.warning("edit %s: paid result %s not downloaded (%s); its links are kept",
                edit_id, link_text(urls[0]), why_text(cause))
    if exc.link_useless:
        return NoteError(Reason("paid_result_lost", **why_params(cause)), hint=LOST_HINT)
    return NoteError(Reason("paid_not_downloaded", **why_params(cause)), hint=KEPT_HINT)


def why_params(exc: BaseException) -> dict[str, str]:
    """A paid note's `why`: the English for the CLI and logs, and the failure's codes
    (`why_error`, core/error_record.py) for the UI to say it in the window's language,
    live and after a restart (the library keeps a Reason's parameters)."""
    data = error_json(exc)
    return {"why": why_text(exc), **({"why_error": data} if data != "{}" else {})}


def why_text(exc: BaseException) -> str:
    """An error in a few words for a note (no traceback, no link)."""
    if isinstance(exc, QwenStudioError):
        return exc.user_message
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__
