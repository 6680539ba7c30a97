"""One edit from request to result bytes: prepare inputs, call the service, fetch results.

Qt-free and storage-free: the CLI writes outcomes to an output folder, the GUI to the
library. Heavy work (decode, resize, encode, hashing) runs in the executor, so the event
loop (the GUI thread under qasync) only waits on I/O.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

from qwen_studio.core.client import ImageClient, RetryInfo
from qwen_studio.core.errors import InputImageError, Reason
from qwen_studio.core.pipeline import PreparedImage, prepare_image
from qwen_studio.core.request import EditRequest
from qwen_studio.core.styles.base import GenerationResult


@dataclass(frozen=True)
class EditEvent:
    """Progress of one edit. stage: preparing, sending, retrying, downloading, done."""

    stage: str
    detail: str = ""
    retry: RetryInfo | None = None


@dataclass(frozen=True)
class EditOutcome:
    request: EditRequest
    inputs: tuple[PreparedImage, ...]
    images: tuple[bytes, ...]  # exactly as the service sent them
    result: GenerationResult
    timings: dict[str, float] = field(default_factory=dict)


EventCallback = Callable[[EditEvent], None]


class EditRunner:
    def __init__(self, client: ImageClient, executor: Executor | None = None) -> None:
        self.client = client
        self.executor = executor

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
        on_event: EventCallback | None = None,
        prepared: tuple[PreparedImage, ...] | None = None,
        response_format: str | None = None,
    ) -> EditOutcome:
        emit = on_event or (lambda _e: None)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        if prepared is None:
            emit(EditEvent("preparing", f"{len(request.inputs)} input image(s)"))
            prepared = await self.prepare(request)
        timings["prepare_s"] = round(time.perf_counter() - t0, 3)

        def on_retry(info: RetryInfo) -> None:
            emit(
                EditEvent(
                    "retrying",
                    f"{info.error.user_message} — retrying in {info.delay:.0f} s "
                    f"(attempt {info.attempt + 1} of {info.max_attempts})",
                    retry=info,
                )
            )

        emit(EditEvent("sending", request.model))
        t1 = time.perf_counter()
        result = await self.client.generate(
            request,
            [p.data_uri for p in prepared],
            response_format=response_format,
            on_retry=on_retry,
        )
        timings["generate_s"] = round(time.perf_counter() - t1, 3)

        emit(EditEvent("downloading", f"{len(result.images)} result(s)"))
        t2 = time.perf_counter()
        images = await asyncio.gather(*(self.client.fetch_image(ref) for ref in result.images))
        timings["download_s"] = round(time.perf_counter() - t2, 3)
        timings["total_s"] = round(time.perf_counter() - t0, 3)
        emit(EditEvent("done", f"{len(images)} result(s)"))
        return EditOutcome(request, prepared, tuple(images), result, timings)
