"""Relay emulation for the sandbox: what a gateway does to a body before Model Studio sees it.

`SandboxServer(gateway="new-api")` runs every /v1/images/generations body through
`new_api_forward` first. The rules are read from new-api's source (docs/gateways.md), on
purpose independently of the catalog's [[gateway]] table, so the client's warnings and the
sandbox's behaviour are two readings that tests compare:

- a body without a non-empty top-level `prompt` is refused ("prompt is required");
- a body with `input` goes upstream as input + parameters (the top-level prompt ignored);
  without `parameters`, they are built from the top-level size/n/watermark;
- a flat body becomes a text-only message built from `prompt`, with parameters from size
  (x -> *), n and watermark only: `image`, `seed`, `negative_prompt` and `prompt_extend`
  are dropped.
"""

from __future__ import annotations

from typing import Any

from qwen_studio.sandbox.validation import ValidationError

GATEWAYS = ("new-api",)
# AliImageParameters in new-api relay/channel/ali/dto.go: what survives of `parameters`.
NEW_API_PARAMETERS = frozenset({
    "size", "n", "negative_prompt", "steps", "scale", "watermark", "prompt_extend",
    "prompt_extend_mode", "thinking_mode", "enable_sequential", "bbox_list", "color_palette",
    "seed",
})


def check_gateway(name: str | None) -> str | None:
    if name is not None and name not in GATEWAYS:
        raise ValueError(f"unknown gateway {name!r}; known: {', '.join(GATEWAYS)}")
    return name


def new_api_forward(body: Any) -> dict[str, Any]:
    """The body new-api would send upstream for this client body (a bailian-style body), or
    ValidationError as new-api refuses it."""
    if not isinstance(body, dict):
        raise ValidationError("the request body must be a JSON object")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise ValidationError("prompt is required", code="prompt_missing")
    out: dict[str, Any] = {"model": body.get("model")}
    params = body.get("parameters")
    if isinstance(params, dict):
        out["parameters"] = {k: v for k, v in params.items() if k in NEW_API_PARAMETERS}
    else:
        out["parameters"] = _from_openai_fields(body)
    if "input" in body:
        out["input"] = body["input"]
    else:
        out["input"] = {"messages": [{"role": "user", "content": [{"text": prompt}]}]}
    if body.get("response_format"):
        out["response_format"] = body["response_format"]
    return out


def _from_openai_fields(body: dict[str, Any]) -> dict[str, Any]:
    """oaiImage2AliImageRequest without `parameters`: size, n and watermark only."""
    params: dict[str, Any] = {}
    size = body.get("size")
    if isinstance(size, str) and size:
        params["size"] = size.replace("x", "*")
    n = body.get("n")
    params["n"] = n if isinstance(n, int) and not isinstance(n, bool) and n else 1
    if isinstance(body.get("watermark"), bool):
        params["watermark"] = body["watermark"]
    return params
