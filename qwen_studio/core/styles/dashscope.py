"""The "dashscope" wire format: Model Studio's native multimodal-generation API, no gateway."""

from __future__ import annotations

from typing import Any

from qwen_studio.core.errors import BadResponseError
from qwen_studio.core.request import EditRequest
from qwen_studio.core.styles.bailian import build_bailian_body
from qwen_studio.core.styles.base import GenerationResult, ResultRef
from qwen_studio.core.styles.flat import clean_base_url, detail_message

PRESETS = {
    "Beijing": "https://dashscope.aliyuncs.com",
    "Singapore": "https://dashscope-intl.aliyuncs.com",
}
GENERATION_PATH = "/api/v1/services/aigc/multimodal-generation/generation"


class DashScopeStyle:
    name = "dashscope"

    def endpoint_url(self, base_url: str) -> str:
        base = clean_base_url(base_url)
        if base.endswith(GENERATION_PATH):
            return base
        if base.endswith("/api/v1"):
            base = base[: -len("/api/v1")]
        return base + GENERATION_PATH

    def build_body(
        self, request: EditRequest, images: list[str], response_format: str | None
    ) -> dict[str, Any]:
        # The native API always answers with URLs and has no response_format field.
        return build_bailian_body(request, images)

    def parse_success(self, body: Any) -> GenerationResult:
        from qwen_studio.core.api_errors import error_from_payload  # avoid an import cycle

        if not isinstance(body, dict):
            raise BadResponseError(
                detail_message(f"expected a JSON object, got {type(body).__name__}")
            )
        output = body.get("output")
        if not isinstance(output, dict):
            if body.get("code") or body.get("message"):
                # DashScope can report a failure inside a 200 answer.
                raise error_from_payload(None, body)
            raise BadResponseError(detail_message("the answer has no 'output'"))
        refs: list[ResultRef] = []
        choices = output.get("choices")
        for choice in choices if isinstance(choices, list) else []:
            message = choice.get("message") if isinstance(choice, dict) else None
            content = message.get("content") if isinstance(message, dict) else None
            for item in content if isinstance(content, list) else []:
                image = item.get("image") if isinstance(item, dict) else None
                if isinstance(image, str) and image.strip():
                    refs.append(ResultRef(url=image.strip()))
        if not refs:
            raise BadResponseError(detail_message("the answer contains no images"))
        usage = body.get("usage")
        request_id = body.get("request_id")
        return GenerationResult(
            images=tuple(refs),
            usage=dict(usage) if isinstance(usage, dict) else {},
            request_id=request_id if isinstance(request_id, str) else "",
        )


STYLE = DashScopeStyle()
