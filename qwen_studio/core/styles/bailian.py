"""The "bailian" wire format: DashScope messages body behind an OpenAI-style gateway (seed 001).

`build_bailian_body` is shared with the native DashScope style, which sends the same body.
"""

from __future__ import annotations

from typing import Any

from qwen_studio.core.request import EditRequest
from qwen_studio.core.styles.base import GenerationResult
from qwen_studio.core.styles.flat import openai_endpoint_url, parse_openai_images


def build_bailian_body(request: EditRequest, images: list[str]) -> dict[str, Any]:
    """`{"model", "input": {"messages": [...]}, "parameters": {...}}`, parameters only when set."""
    # Images first, then exactly one text item; text-to-image models get the text alone.
    content: list[dict[str, str]] = [{"image": img} for img in images]
    content.append({"text": request.prompt})
    params: dict[str, Any] = {}
    if request.negative_prompt:
        params["negative_prompt"] = request.negative_prompt
    if request.prompt_extend is not None:
        params["prompt_extend"] = request.prompt_extend
    if request.watermark is not None:
        params["watermark"] = request.watermark
    if request.size is not None:
        params["size"] = request.size  # already canonical "W*H"
    if request.n != 1:
        params["n"] = request.n
    if request.seed is not None:
        params["seed"] = request.seed
    body: dict[str, Any] = {
        "model": request.model,
        "input": {"messages": [{"role": "user", "content": content}]},
    }
    if params:
        body["parameters"] = params
    return body


class BailianStyle:
    name = "bailian"

    def endpoint_url(self, base_url: str) -> str:
        return openai_endpoint_url(base_url)

    def build_body(
        self, request: EditRequest, images: list[str], response_format: str | None
    ) -> dict[str, Any]:
        body = build_bailian_body(request, images)
        # new-api and one-api refuse an images body without a top-level prompt; with `input`
        # present they ignore it (docs/gateways.md). The native path does not get it.
        body["prompt"] = request.prompt
        if response_format:
            body["response_format"] = response_format  # a gateway field, so top level
        return body

    def parse_success(self, body: Any) -> GenerationResult:
        return parse_openai_images(body)


STYLE = BailianStyle()
