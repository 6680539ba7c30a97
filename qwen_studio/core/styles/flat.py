"""The "flat" wire format: OpenAI-style `{"model", "prompt", "image"}` (seed 000).

Also home of the helpers every OpenAI-shaped gateway style shares: the `/v1/images/generations`
URL rule and the parser for `{"created", "data": [{url | b64_json}], "usage"}` answers.
"""

from __future__ import annotations

from typing import Any

from qwen_studio.core.errors import BadResponseError, ConfigError
from qwen_studio.core.request import EditRequest
from qwen_studio.core.styles.base import GenerationResult, ResultRef

GENERATIONS_PATH = "/v1/images/generations"


def clean_base_url(base_url: str) -> str:
    """Strip whitespace and trailing slashes; refuse anything that is not http(s)."""
    base = (base_url or "").strip()
    if not base:
        raise ConfigError("No endpoint URL is set", hint="Enter the service URL in Settings.")
    if not base.lower().startswith(("http://", "https://")):
        raise ConfigError(
            f"Endpoint URL {base!r} must start with http:// or https://",
            hint="For example https://dashscope.aliyuncs.com",
        )
    return base.rstrip("/")


def openai_endpoint_url(base_url: str) -> str:
    """`{base}/v1/images/generations`, whether the user typed the base, `/v1` or the full URL."""
    base = clean_base_url(base_url)
    if base.endswith(GENERATIONS_PATH):
        return base
    if base.endswith("/v1"):
        base = base[: -len("/v1")]
    return base + GENERATIONS_PATH


def _text(value: Any) -> str:
    """A string field where gateways send "" or null for 'absent'."""
    return value if isinstance(value, str) and value.strip() else ""


def error_in_success_body(body: Any) -> None:
    """Some gateways answer 200 with an error envelope; surface it as the error it is."""
    from qwen_studio.core.api_errors import error_from_payload  # avoid an import cycle

    if isinstance(body, dict) and "data" not in body and (
        isinstance(body.get("error"), dict | str) or ("code" in body and "message" in body)
    ):
        raise error_from_payload(None, body)


def parse_openai_images(body: Any) -> GenerationResult:
    """Parse `{"created", "data": [...], "usage", "metadata"}`; BadResponseError if no image."""
    if not isinstance(body, dict):
        raise BadResponseError(detail_message(f"expected a JSON object, got {type(body).__name__}"))
    error_in_success_body(body)
    data = body.get("data")
    if not isinstance(data, list) or not data:
        raise BadResponseError(detail_message("the answer contains no images (empty 'data')"))
    refs: list[ResultRef] = []
    revised = ""
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise BadResponseError(detail_message(f"image {i + 1} in 'data' is not an object"))
        url, b64 = _text(item.get("url")), _text(item.get("b64_json"))
        if not url and not b64:
            raise BadResponseError(detail_message(f"image {i + 1} has neither a URL nor data"))
        refs.append(ResultRef(url=url.strip() or None, b64_json=b64 or None))
        revised = revised or _text(item.get("revised_prompt"))
    created = body.get("created")
    return GenerationResult(
        images=tuple(refs),
        revised_prompt=revised,
        usage=_dict(body.get("usage")),
        metadata=_dict(body.get("metadata")),
        request_id=_text(body.get("request_id") or body.get("id")),
        created=created if isinstance(created, int) and not isinstance(created, bool) else None,
    )


def detail_message(reason: str) -> str:
    return f"The service sent a response that could not be understood: {reason}"


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


class FlatStyle:
    """`{"model", "prompt", "image"}`; optional OpenAI-style fields only when set."""

    name = "flat"

    def endpoint_url(self, base_url: str) -> str:
        return openai_endpoint_url(base_url)

    def build_body(
        self, request: EditRequest, images: list[str], response_format: str | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": request.model, "prompt": request.prompt}
        # One input travels as a plain string (the seed's form); several as an array.
        if len(images) == 1:
            body["image"] = images[0]
        elif images:
            body["image"] = list(images)
        if request.negative_prompt:
            body["negative_prompt"] = request.negative_prompt
        wh = request.size_wh
        if wh is not None:
            body["size"] = f"{wh[0]}x{wh[1]}"  # OpenAI form; gateways convert x to *
        if request.n != 1:
            body["n"] = request.n
        if request.seed is not None:
            body["seed"] = request.seed
        if request.watermark is not None:
            body["watermark"] = request.watermark
        if request.prompt_extend is not None:
            body["prompt_extend"] = request.prompt_extend
        if response_format:
            body["response_format"] = response_format
        return body

    def parse_success(self, body: Any) -> GenerationResult:
        return parse_openai_images(body)


STYLE = FlatStyle()
