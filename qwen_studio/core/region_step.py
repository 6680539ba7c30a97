"""The region-edit step of an edit, for the edit runner: what it does differently when
`request.region` is set. Async wrappers that run core/region.py in the executor.

    step = await RegionStep.start(request, executor, mask=mask_bytes, takes_size=True)
    if step is None: ...                       # not a region edit, or the whole frame
    sent_request, images = step.request, step.images   # what to send instead
    answers = ...                              # client.generate + fetch_image, as usual
    pngs = await step.finish(answers)          # full-size composites, one per answer

`start` prepares the crop and the references concurrently, and starts compressing the
output's unchanged pixels in the background, while the model works.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from functools import partial

from qwen_studio.core.pipeline import PreparedImage, file_sha256, prepare_image
from qwen_studio.core.region import RegionPlan, composite, plan_region, region_images
from qwen_studio.core.region_mask import MaskSource
from qwen_studio.core.request import EditRequest

TextsFor = Callable[[int], dict[str, str]]  # result index -> metadata texts to embed


def model_takes_size(model: str) -> bool:
    """Whether `model` takes a `size` (then a region edit asks for the crop's aspect).
    The one place this is decided; the model catalog's "takes a size" fact replaces it.
    Today's rule (api-contract.md): every edit model but the original qwen-image-edit;
    an unknown name is taken to be a newer model, which does."""
    return model != "qwen-image-edit"


@dataclass
class RegionStep:
    plan: RegionPlan
    request: EditRequest  # the request to SEND (size asked); record the user's own
    images: list[str]  # data URIs in send order (see region_images)
    references: tuple[PreparedImage, ...]
    executor: Executor | None = None
    original_sha256: str = ""  # of image 1's file: what the edit's identity hashes
    _background: asyncio.Future[None] | None = field(default=None, repr=False)

    @classmethod
    async def start(cls, request: EditRequest, executor: Executor | None = None, *,
                    mask: MaskSource | None = None,
                    takes_size: bool = True) -> RegionStep | None:
        """Plan the region edit of request.inputs[0] (InputImageError if unusable); None
        when the request has no region or the mask covers (almost) the whole frame."""
        if request.region is None or not request.inputs:
            return None
        loop = asyncio.get_running_loop()
        planned = loop.run_in_executor(executor, partial(
            plan_region, request.inputs[0], request.region, mask=mask, takes_size=takes_size))
        refs = [loop.run_in_executor(executor, prepare_image, src) for src in request.inputs[1:]]
        hashed = loop.run_in_executor(executor, file_sha256, request.inputs[0])
        results = await asyncio.gather(planned, hashed, *refs, return_exceptions=True)
        for res in results:  # the plan's reason first (it names image 1's problem best)
            if isinstance(res, BaseException):
                raise res
        plan = results[0]
        if plan is None:
            return None
        assert isinstance(plan, RegionPlan)
        references = tuple(r for r in results[2:] if isinstance(r, PreparedImage))
        sent = request.with_changes(size=plan.ask_size_text) if takes_size else request
        images = region_images(plan, [r.data_uri for r in references], takes_size=takes_size)
        step = cls(plan, sent, images, references, executor, str(results[1]))
        step._background = loop.run_in_executor(executor, plan.prepare_output)
        return step

    @property
    def inputs(self) -> tuple[PreparedImage, ...]:
        """The edit's inputs in the request's order (image 1 as its crop was prepared, with
        the original file's hash), for identities and sidecars."""
        first = replace(self.plan.prepared, sha256=self.original_sha256 or
                        self.plan.prepared.sha256)
        return (first, *self.references)

    def sent_request(self, request: EditRequest) -> EditRequest:
        """`request` (e.g. with its drawn seed) as this step sends it: the size asked."""
        return request.with_changes(size=self.request.size)

    def release_inputs(self) -> None:
        """Drop the encoded images (MBs of base64) once they are sent."""
        self.images = []
        self.plan = replace(self.plan, prepared=replace(self.plan.prepared, data_uri=""))
        self.references = tuple(replace(r, data_uri="") for r in self.references)

    async def finish(self, answers: Sequence[bytes],
                     texts_for: TextsFor | None = None) -> tuple[bytes, ...]:
        """The full-size composite PNG of each answer (n > 1: one each), with the texts
        `texts_for(k)` embedded when given (then no embed_png_metadata pass is needed)."""
        loop = asyncio.get_running_loop()
        if self._background is not None:
            await self._background
        jobs = [loop.run_in_executor(self.executor, partial(
            composite, self.plan, data, texts_for(k) if texts_for else None))
            for k, data in enumerate(answers)]
        return tuple(await asyncio.gather(*jobs))
