"""EditFlow: one edit from its queue slot to its saved result (EditService's edit function).

prepare (hooks, region, inputs) -> already done? (sink) -> kept paid links? -> budget
reserved -> send, download (EditRunner) -> save (sink) -> the library told (off the path).
A result that was paid for is never dropped: a failed download keeps its links (paid.py),
a failed save keeps its bytes (core/unsaved.py), and a cancel while downloading or saving
lets the result land first.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from qwen_studio.core.editing.budget import BudgetGate, OverBudget, Reservation
from qwen_studio.core.editing.paid import LOST_HINT, fetch_kept, keep_links
from qwen_studio.core.editing.prepare_ahead import AHEAD, PrepareAhead
from qwen_studio.core.editing.progress import EditProgress, EditResult, Stage
from qwen_studio.core.editing.queue import EditContext, SkipEdit
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.errors import NoteError, QwenStudioError, Reason
from qwen_studio.core.paid_results import NotDownloaded
from qwen_studio.core.request import EditRequest

if TYPE_CHECKING:
    # Types only: the runner brings the decode stack (Pillow), which the window loads in its
    # pool after start-up (WARM_MODULES), not on the GUI thread when it builds the service.
    from qwen_studio.core.client import ImageClient
    from qwen_studio.core.editing.hooks import EditHook
    from qwen_studio.core.editing.library_writes import LibraryWrites
    from qwen_studio.core.editing.runner import EditOutcome, EditRunner
    from qwen_studio.core.editing.sinks import ResultSink
    from qwen_studio.core.paid_results import KeptResult
    from qwen_studio.core.pipeline import PreparedImage
    from qwen_studio.core.region_step import RegionStep
    from qwen_studio.core.styles.base import GenerationResult

# The client new edits use (None: nothing is connected); an edit keeps the one it started
# with, so changing the connection does not disturb edits in flight.
ClientProvider = Callable[[], "ImageClient | None"]
_T = TypeVar("_T")


class NotConnected(QwenStudioError):
    def __init__(self) -> None:
        super().__init__("No service is connected.",
                         hint="Set up your API in Settings or try the demo.")


class EditFlow:
    """Runs each edit for EditService, with the service's own state (shared, not copied):
    the resumed edits' sources, the batches' budgets; `stop_batch` when the output stops
    taking results."""

    def __init__(self, client: ClientProvider, recorder: EditRecorder, sink: ResultSink,
                 executor: Executor | None, db: Executor, writes: LibraryWrites, *,
                 hooks: Sequence[EditHook], sources: dict[int, tuple[str, ...]],
                 budgets: dict[str, BudgetGate],
                 stop_batch: Callable[[str | None, Reason], None]) -> None:
        self.client = client
        self.recorder = recorder
        self.sink = sink
        self.executor = executor
        self.hooks = hooks
        self._db = db  # the library's thread (reads that must follow its writes)
        self._writes = writes
        self._sources = sources
        self._budgets = budgets
        self._stop_batch = stop_batch
        self._links_kept: set[int] = set()  # edits whose paid links were kept this session
        # Queued by Retry download, which promises nothing is sent: without kept links
        # (a rerun took them, they expired) such an edit fails rather than pays again.
        self.download_only: set[int] = set()
        self._ran: set[int] = set()  # edits that started running in this session
        self._ahead = PrepareAhead(executor)

    def ended(self, edit_id: int) -> None:
        """The edit ended or left the queue: what was prepared ahead for it goes."""
        self._ahead.forget(edit_id)
        self.download_only.discard(edit_id)

    def close(self) -> None:
        self._ahead.close()

    def _as_sent(self, edit: EditProgress) -> EditRequest:
        """The edit's request with the inputs it sends (a resumed edit's own copies)."""
        sources = self._sources.get(edit.edit_id)
        return edit.request if sources is None else edit.request.with_changes(inputs=sources)

    async def run(self, ctx: EditContext) -> EditResult:
        """The queue's edit function: one edit from its slot to its saved result."""
        from qwen_studio.core.editing.runner import EditRunner

        edit = ctx.progress
        client = self.client()
        if client is None:
            raise NotConnected()
        runner = EditRunner(client, self.executor)
        request = self._as_sent(edit)
        self._ahead.start([(p, self._as_sent(p)) for p in ctx.upcoming(AHEAD)])
        # Here, not at module level: the window builds this service on the GUI thread.
        from qwen_studio.core.output_folder import OutputUnavailableError

        for hook in self.hooks:
            request = await hook.before_prepare(edit, request)
        region = None
        if request.region is not None:
            # A region edit: the crop of image 1 is what is sent (core/region_step.py).
            region = await runner.prepare_region(request, await self._mask(request))
        if region is not None:
            prepared = region.inputs
        else:
            ahead = await self._ahead.take(edit.edit_id, request)
            prepared = ahead if ahead is not None else await runner.prepare(request)
        # Recorded by this session and never run: nothing can have saved its results yet
        # (a resumed edit, or one run before, may have been saved before a crash).
        first_run = edit.edit_id not in self._sources and edit.edit_id not in self._ran
        self._ran.add(edit.edit_id)
        looked: list[_Looked] = []  # _send_and_save's look-up, if the sink's trip made it
        try:
            earlier = await self.sink.already_done(
                edit, prepared, first_run=first_run,
                then=self._look_in_claim(edit, request, prepared, looked))
            if earlier is not None:
                code = "already_done" if earlier.paths else "already_in_output"
                raise SkipEdit(Reason(code), earlier)
            for hook in self.hooks:
                await hook.before_send(edit, request, prepared)
            return await self._send_and_save(ctx, runner, request, prepared, region, looked)
        except OutputUnavailableError:
            # The output cannot take results: whatever is sent now would be lost or paid
            # for twice. Running edits finish (and keep theirs); the rest waits for a resume.
            self._stop_batch(edit.batch_id, Reason("output_unavailable"))
            raise
        finally:
            self.sink.release(edit)

    def _looks_up(self, edit: EditProgress) -> bool:
        """Whether the edit asks for kept links before it is sent: one resumed or whose
        links were kept in this session; in an output folder any edit may find an earlier
        run's (by identity)."""
        return (not self.sink.records_result or edit.edit_id in self._sources
                or edit.edit_id in self._links_kept)

    def _look_in_claim(self, edit: EditProgress, request: EditRequest,
                       prepared: tuple[PreparedImage, ...], looked: list[_Looked]
                       ) -> Callable[[], None] | None:
        """The kept-links-else-seed look-up for the sink's claim trip (an output folder's
        edit claims itself in the pool just before): one trip to the pool fewer on each
        edit's way to being sent. None where it must wait for the claim's answer: hooks
        (a budget, a region) may still refuse to send after it, and the budget's seed is
        drawn once it holds room."""
        gate = self._budgets.get(edit.batch_id) if edit.batch_id is not None else None
        if (self.hooks or gate is not None or edit.edit_id in self.download_only
                or not self._looks_up(edit)):
            return None
        look = self._kept_look(edit, edit.request.identity(tuple(p.sha256 for p in prepared)))
        return lambda: looked.append(_kept_or_seed(look, self.recorder, edit.edit_id,
                                                   request))

    def _kept_look(self, edit: EditProgress, identity: str) -> Callable[[], KeptResult | None]:
        """The library's look-up of the edit's kept links (in an output folder, by identity:
        an earlier run's edit of the same photo and request)."""
        return partial(self.recorder.kept_paid, edit.edit_id,
                       identity if not self.sink.records_result else "")

    async def _send_and_save(self, ctx: EditContext, runner: EditRunner,
                             request: EditRequest, prepared: tuple[PreparedImage, ...],
                             region: RegionStep | None, looked: Sequence[_Looked] = ()
                             ) -> EditResult:
        edit = ctx.progress
        loop = asyncio.get_running_loop()
        attempts = runner.max_attempts

        def on_stage(stage: Stage) -> None:
            ctx.stage(stage, max_attempts=attempts)

        # Billed before and not downloaded: fetch the kept links; nothing is sent again.
        # Only an edit that can have kept links asks the library (off a new edit's path).
        identity = edit.request.identity(tuple(p.sha256 for p in prepared))
        gate = self._budgets.get(edit.batch_id) if edit.batch_id is not None else None
        kept = to_send = None
        if looked:  # asked in the sink's claim trip (_look_in_claim)
            kept, to_send = looked[0]
        elif self._looks_up(edit):
            look = self._kept_look(edit, identity)
            if gate is None and edit.edit_id not in self.download_only:
                # One trip: kept links, else the seed to send (see below).
                kept, to_send = await loop.run_in_executor(
                    self.executor, _kept_or_seed, look, self.recorder, edit.edit_id, request)
            else:  # the seed is drawn once the budget holds room for the edit
                kept = await loop.run_in_executor(self._db, look)
        # Retry download without kept links fails, never pays again (ended() forgets it).
        if edit.edit_id in self.download_only and kept is None:
            raise NoteError(Reason("paid_result_lost", why="its kept links are gone"),
                            hint=LOST_HINT)
        if kept is not None:
            outcome = await fetch_kept(self.recorder, self._db, ctx, runner, request,
                                       prepared, region, kept)
            return await self._save(ctx, outcome, kept=True)

        held = await self._reserve(gate, edit.edit_id, request)
        reservation = [held] if gate is not None and held is not None else []

        billed: list[int] = []
        answers: list[GenerationResult] = []

        def on_billed(images: int) -> None:
            # Billed once the service answers with images, even if they are then lost.
            billed.append(images)
            if gate is not None and reservation:
                gate.commit(reservation.pop(), images)

        try:
            # What was asked ("random") stays the edit's identity; the seed drawn is sent,
            # recorded first, and is what the results say they were made with. In the pool,
            # not on the database thread: there it waited behind the batch's queued writes
            # (recording 25 edits with their inputs copied per trip) before every send.
            # The library serialises its own writes; the edit's row exists (it was queued).
            if to_send is None:
                to_send = await loop.run_in_executor(
                    self.executor, self.recorder.seed_for_sending, edit.edit_id, request)
            run = asyncio.ensure_future(runner.run(
                to_send, prepared=prepared, on_stage=on_stage, on_retry=ctx.on_retry,
                on_billed=on_billed, region=region, asked=request, on_answer=answers.append))
            try:
                try:
                    outcome = await asyncio.shield(run)
                except asyncio.CancelledError:
                    if not billed:
                        run.cancel()
                        raise
                    # Cancelled once the service answered (downloading): the results are
                    # paid for, so they are downloaded and saved, as when cancelled while
                    # saving.
                    outcome = await _despite_cancel(run)
            except Exception as exc:
                if not answers:
                    raise
                # Answered and billed, then not downloaded: keep its links, say so.
                self._links_kept.add(edit.edit_id)
                raise await keep_links(self.recorder, self._db, edit.edit_id,
                                       NotDownloaded(answers[0], exc), identity,
                                       to_send) from None
        finally:
            if gate is not None and reservation:
                gate.release(reservation.pop())  # failed or cancelled: nothing billed
        del prepared, region
        return await self._save(ctx, outcome, kept=False)

    async def _save(self, ctx: EditContext, outcome: EditOutcome, *, kept: bool
                    ) -> EditResult:
        from qwen_studio.core.output_folder import OutputUnavailableError

        edit = ctx.progress
        loop = asyncio.get_running_loop()
        # The encoded inputs (base64 data URIs, MBs each) go now, not when the edit ends;
        # so does a region's plan (the full-size original), which the caller dropped.
        outcome = dataclasses.replace(outcome, inputs=tuple(
            dataclasses.replace(p, data_uri="") for p in outcome.inputs))
        for hook in self.hooks:
            outcome = await hook.before_save(ctx.progress, outcome)
        ctx.stage(Stage.SAVING)
        written = None
        if not self.sink.saves_gate_sending:
            # Downloaded: the service is not needed any more, so the next edit is sent
            # while this one is written (hash, fsync, one transaction).
            ctx.release_slot()
        else:
            # Where a failed save stops the batch (an output folder), the slot goes once
            # the bytes took their room on disk: a full disk refuses them at the write,
            # `written` is never called and the batch stops before the slot is free, so
            # nothing more goes into it. Only the fsync (the longest part) overlaps the
            # next send; at most `limit` edits save so (a paid result unsaved past that
            # is kept and reported like any other).
            written = partial(_call_soon, loop, partial(ctx.release_slot, bounded=True))
        save = asyncio.ensure_future(
            self.sink.save(ctx.progress, outcome) if written is None
            else self.sink.save(ctx.progress, outcome, written=written, refused=partial(
                self._stop_batch, edit.batch_id, Reason("output_unavailable"))))
        try:
            # Cancelled while saving: the result is being written anyway, so it counts.
            result = await _despite_cancel(save)
        except OutputUnavailableError:
            # The sink kept the bytes itself (and named where, with a ledger for the resume).
            if not self.sink.records_result:
                # Paid for and kept by the sink: the history has the results, so the edit
                # is DONE there (written before its FAILED status, which cannot undo it).
                self._writes.write(self.recorder.complete, edit.edit_id,
                                   list(outcome.images),
                                   revised_prompt=outcome.result.revised_prompt,
                                   usage=dict(outcome.result.usage),
                                   timings=dict(outcome.timings))
            raise
        except Exception as exc:  # paid for, not stored: keep the bytes and say where
            from qwen_studio.core.unsaved import keep_or_name

            error = await loop.run_in_executor(self.executor, keep_or_name, edit.edit_id,
                                               outcome.images, exc)
            if not kept:  # and its links, while they last: Retry downloads them again
                identity = edit.request.identity(tuple(p.sha256 for p in outcome.inputs))
                self._links_kept.add(edit.edit_id)
                await keep_links(self.recorder, self._db, edit.edit_id,
                                 NotDownloaded(outcome.result, exc), identity, outcome.request)
            raise error from None
        if not self.sink.records_result:
            # The history's copy, in the pool like the window's saves (hash, write, fsync
            # side by side), not one after another on the database thread, which made the
            # end of a run wait for them.
            self._writes.write_aside(
                self.executor, self.recorder.complete, edit.edit_id, list(outcome.images),
                revised_prompt=result.revised_prompt, usage=dict(result.usage),
                timings=dict(result.timings))
        return result

    async def _mask(self, request: EditRequest) -> bytes | None:
        """The stored mask of a region edit (None for a rectangle, or when it is missing:
        the edit then fails saying so)."""
        region = request.region
        if region is None or region.mask_sha256 is None:
            return None
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, self.recorder.mask, region.mask_sha256)

    @staticmethod
    async def _reserve(gate: BudgetGate | None, edit_id: int, request: EditRequest
                       ) -> Reservation | None:
        """Hold the most the request can cost in its batch's budget, before sending."""
        if gate is None:
            return None
        try:
            return await gate.reserve(edit_id, request)
        except OverBudget as exc:
            raise SkipEdit(exc.reason) from None


_Looked = tuple["KeptResult | None", "EditRequest | None"]  # kept links, else what to send


def _kept_or_seed(look: Callable[[], KeptResult | None], recorder: EditRecorder,
                  edit_id: int, request: EditRequest) -> _Looked:
    """Links kept for the edit, else the request to send (its seed drawn and recorded)."""
    kept = look()
    return (kept, None) if kept is not None else (None, recorder.seed_for_sending(edit_id,
                                                                                  request))


def _call_soon(loop: asyncio.AbstractEventLoop, fn: Callable[[], None]) -> None:
    """`fn` on `loop`, from a worker thread; nothing once the loop is closed (the run is
    over: nothing is left to send)."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(fn)


async def _despite_cancel(future: asyncio.Future[_T]) -> _T:
    """Await `future` to its end even if this task is cancelled (again) meanwhile: a second
    Cancel (Esc twice, then Cancel all) must not report CANCELLED while the result is
    still being downloaded or written."""
    while True:
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.cancelled():
                raise


