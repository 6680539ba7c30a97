"""One edit from request to result bytes: prepare inputs, call the service, fetch results.

Storage-free: where results go is the sink's business (sinks.py). Heavy work (decode,
resize, encode, hashing) runs in the executor, so the event loop (the GUI thread under
qasync) only waits on I/O. Progress is reported as data: a `Stage` and `RetryInfo`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qwen_studio.core.editing.progress import Stage
from qwen_studio.core.endpoint import RetryInfo
from qwen_studio.core.errors import InputImageError, Reason
from qwen_studio.core.pipeline import PreparedImage, prepare_image
from qwen_studio.core.png_metadata import metadata_for
from qwen_studio.core.region_step import RegionStep, model_takes_size
from qwen_studio.core.request import EditRequest
from qwen_studio.core.seeds import seed_extra

if TYPE_CHECKING:
    from qwen_studio.core.client import ImageClient
    from qwen_studio.core.styles.base import GenerationResult


@dataclass(frozen=True)
class EditOutcome:
    request: EditRequest
    inputs: tuple[PreparedImage, ...]
    images: tuple[bytes, ...]  # exactly as the service sent them
    result: GenerationResult
    timings: dict[str, float] = field(default_factory=dict)
    # A region edit: what the sidecar and metadata keep about it (RegionPlan.record():
    # spec, crop box, sizes); `images` are then the full-size composites.
    region: dict[str, Any] | None = None


StageCallback = Callable[[Stage], None]
RetryCallback = Callable[[RetryInfo], None]


def _ignore(_value: object) -> None:
    return None


async def prepare_inputs(request: EditRequest, executor: Executor | None
                         ) -> tuple[PreparedImage, ...]:
    """Prepare every input concurrently in the executor; the first bad file raises."""
    loop = asyncio.get_running_loop()
    futures = [loop.run_in_executor(executor, prepare_image, src) for src in request.inputs]
    results = await asyncio.gather(*futures, return_exceptions=True)
    for src, res in zip(request.inputs, results, strict=True):
        if isinstance(res, InputImageError):
            raise res
        if isinstance(res, BaseException):
            # A code, so the window can say it in the user's language.
            raise InputImageError(src, Reason("unreadable",
                                              detail=f"{type(res).__name__}: {res}"))
    return tuple(r for r in results if isinstance(r, PreparedImage))


class EditRunner:
    def __init__(self, client: ImageClient, executor: Executor | None = None) -> None:
        self.client = client
        self.executor = executor

    @property
    def max_attempts(self) -> int:
        return max(1, self.client.settings.max_attempts)

    async def prepare(self, request: EditRequest) -> tuple[PreparedImage, ...]:
        """Prepare every input concurrently in the executor; the first bad file raises."""
        return await prepare_inputs(request, self.executor)

    async def prepare_region(self, request: EditRequest, mask: bytes | None,
                             ) -> RegionStep | None:
        """A region edit's step (crop planned, references prepared, the output's unchanged
        rows compressing in the background); None when the request is not a region edit
        or its mask covers (almost) the whole frame, i.e. a normal edit."""
        if request.region is None:
            return None
        try:
            return await RegionStep.start(request, self.executor, mask=mask,
                                          takes_size=model_takes_size(request.model))
        except InputImageError:
            raise
        except Exception as exc:  # OSError, MemoryError, a Pillow error: name the file
            raise InputImageError(request.inputs[0], Reason(
                "unreadable", detail=f"{type(exc).__name__}: {exc}")) from None

    async def run(
        self,
        request: EditRequest,
        *,
        on_stage: StageCallback = _ignore,
        on_retry: RetryCallback = _ignore,
        prepared: tuple[PreparedImage, ...] | None = None,
        response_format: str | None = None,
        on_billed: Callable[[int], None] = _ignore,
        region: RegionStep | None = None,
        asked: EditRequest | None = None,
        on_answer: Callable[[GenerationResult], None] = _ignore,
    ) -> EditOutcome:
        """Send `request` and fetch its results. `on_billed(n)`: the service answered with
        n images (what it bills), before they are downloaded: a download that fails
        afterwards does not undo the bill; `on_answer(result)` then gets the answer (its
        links are what was paid for if the download fails). With `region`
        (prepare_region), the region's crop is sent (at the size it asks) and the results
        are the full-size composites, with their metadata (`asked`: the request as the
        user asked it, for the "random seed" note) embedded."""
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        if region is not None:
            prepared = region.inputs
        if prepared is None:
            on_stage(Stage.PREPARING)
            prepared = await self.prepare(request)
        timings["prepare_s"] = round(time.perf_counter() - t0, 3)

        on_stage(Stage.SENDING)
        t1 = time.perf_counter()
        result = await self.client.generate(
            region.sent_request(request) if region is not None else request,
            region.images if region is not None else [p.data_uri for p in prepared],
            response_format=response_format,
            on_retry=on_retry,
        )
        timings["generate_s"] = round(time.perf_counter() - t1, 3)
        on_billed(len(result.images))
        on_answer(result)
        return await self.fetch(request, result, prepared, on_stage=on_stage, region=region,
                                asked=asked, timings=timings, started=t0)

    async def fetch(
        self,
        request: EditRequest,
        result: GenerationResult,
        prepared: tuple[PreparedImage, ...],
        *,
        on_stage: StageCallback = _ignore,
        region: RegionStep | None = None,
        asked: EditRequest | None = None,
        timings: dict[str, float] | None = None,
        started: float | None = None,
    ) -> EditOutcome:
        """Download the images of `result` (billed already: an answer from run(), or links
        kept from an earlier download that failed: core/paid_results.py)."""
        timings = {} if timings is None else timings
        t0 = time.perf_counter() if started is None else started
        on_stage(Stage.DOWNLOADING)
        t2 = time.perf_counter()
        images = await asyncio.gather(*(self.client.fetch_image(ref) for ref in result.images))
        timings["download_s"] = round(time.perf_counter() - t2, 3)
        record: dict[str, Any] | None = None
        if region is not None:
            region.release_inputs()
            record = region.plan.record()
            extra = {"region": record, "result_count": len(images),
                     **seed_extra(asked or request)}
            t3 = time.perf_counter()
            images = list(await region.finish(images, lambda k: metadata_for(
                request, {**extra, "result_index": k + 1})))
            timings["composite_s"] = round(time.perf_counter() - t3, 3)
        timings["total_s"] = round(time.perf_counter() - t0, 3)
        return EditOutcome(request, prepared, tuple(images), result, timings, record)
