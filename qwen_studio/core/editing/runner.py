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
from typing import TYPE_CHECKING

from qwen_studio.core.editing.progress import Stage
from qwen_studio.core.endpoint import RetryInfo
from qwen_studio.core.errors import InputImageError, Reason
from qwen_studio.core.pipeline import PreparedImage, prepare_image
from qwen_studio.core.request import EditRequest

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


StageCallback = Callable[[Stage], None]
RetryCallback = Callable[[RetryInfo], None]


def _ignore(_value: object) -> None:
    return None


class EditRunner:
    def __init__(self, client: ImageClient, executor: Executor | None = None) -> None:
        self.client = client
        self.executor = executor

    @property
    def max_attempts(self) -> int:
        return max(1, self.client.settings.max_attempts)

    async def prepare(self, request: EditRequest) -> tuple[PreparedImage, ...]:
        """Prepare every input concurrently in the executor; the first bad file raises."""
        loop = asyncio.get_running_loop()
        futures = [
            loop.run_in_executor(self.executor, prepare_image, src) for src in request.inputs
        ]
        results = await asyncio.gather(*futures, return_exceptions=True)
        for src, res in zip(request.inputs, results, strict=True):
            if isinstance(res, InputImageError):
                raise res
            if isinstance(res, BaseException):
                # A code, so the window can say it in the user's language.
                raise InputImageError(src, Reason("unreadable",
                                                  detail=f"{type(res).__name__}: {res}"))
        return tuple(r for r in results if isinstance(r, PreparedImage))

    async def run(
        self,
        request: EditRequest,
        *,
        on_stage: StageCallback = _ignore,
        on_retry: RetryCallback = _ignore,
        prepared: tuple[PreparedImage, ...] | None = None,
        response_format: str | None = None,
    ) -> EditOutcome:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        if prepared is None:
            on_stage(Stage.PREPARING)
            prepared = await self.prepare(request)
        timings["prepare_s"] = round(time.perf_counter() - t0, 3)

        on_stage(Stage.SENDING)
        t1 = time.perf_counter()
        result = await self.client.generate(
            request,
            [p.data_uri for p in prepared],
            response_format=response_format,
            on_retry=on_retry,
        )
        timings["generate_s"] = round(time.perf_counter() - t1, 3)

        on_stage(Stage.DOWNLOADING)
        t2 = time.perf_counter()
        images = await asyncio.gather(*(self.client.fetch_image(ref) for ref in result.images))
        timings["download_s"] = round(time.perf_counter() - t2, 3)
        timings["total_s"] = round(time.perf_counter() - t0, 3)
        return EditOutcome(request, prepared, tuple(images), result, timings)
