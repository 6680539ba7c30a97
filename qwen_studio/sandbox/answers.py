"""The sandbox's success answers: OpenAI-style for gateways, DashScope-native otherwise."""

from __future__ import annotations

import base64
import time
from typing import Any

from qwen_studio.sandbox.validation import ParsedRequest


def revised_prompt(prompt: str) -> str:
    """A plausible prompt_extend rewrite: the prompt plus the kind of detail upstream adds."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in prompt):
        return prompt.rstrip("。") + "。保持主体特征与原图一致，光影自然，细节清晰，画面高质量。"
    return (
        prompt.rstrip(". ")
        + ". Keep the subject's identity, pose and proportions consistent with the input;"
        " natural lighting, realistic colours, fine detail, sharp focus, high quality."
    )


def success_body(req: ParsedRequest, pngs: list[bytes], urls: list[str], size: tuple[int, int],
                 fault: str | None, *, native: bool, inline: bool, request_id: str
                 ) -> dict[str, Any]:
    """The JSON answer for a generation that made `pngs` (served at `urls` unless inline);
    the `no_image` and `empty_data` faults spoil it as a broken upstream would."""
    revised = revised_prompt(req.prompt) if req.prompt_extend else ""
    if native:
        content = [{"image": u} for u in urls]
        if fault == "no_image":
            content = [{"image": ""}]
        choices = [] if fault == "empty_data" else [
            {"finish_reason": "stop", "message": {"role": "assistant", "content": content}}
        ]
        return {
            "output": {"choices": choices},
            "usage": {"width": size[0], "height": size[1], "image_count": len(pngs)},
            "request_id": request_id,
        }
    if inline:
        items = [{"url": "", "b64_json": base64.b64encode(p).decode("ascii"),
                  "revised_prompt": revised} for p in pngs]
    else:
        items = [{"url": u, "b64_json": "", "revised_prompt": revised} for u in urls]
    if fault == "no_image":
        items = [{"url": "", "b64_json": "", "revised_prompt": revised}]
    elif fault == "empty_data":
        items = []
    prompt_tokens = max(1, len(req.prompt) // 3)
    return {
        "created": int(time.time()),
        "data": items,
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 0,
                  "total_tokens": prompt_tokens},
    }
