"""What every request style provides, and the parsed shape of a successful answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from qwen_studio.core.request import EditRequest


@dataclass(frozen=True)
class ResultRef:
    """One image in an answer: a URL to fetch at once, or inline base64. Never both empty."""

    url: str | None = None
    b64_json: str | None = None


@dataclass(frozen=True)
class GenerationResult:
    images: tuple[ResultRef, ...]
    revised_prompt: str = ""
    usage: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    request_id: str = ""
    created: int | None = None


class RequestStyle(Protocol):
    """A wire format. Pure functions: no I/O, so they are trivially unit-testable."""

    name: str

    def endpoint_url(self, base_url: str) -> str:
        """Full POST URL from a user-given base (with or without a trailing /v1)."""
        ...

    def build_body(
        self, request: EditRequest, images: list[str], response_format: str | None
    ) -> dict[str, Any]:
        """JSON body. `images` are data URIs or http(s) URLs, in input order."""
        ...

    def parse_success(self, body: Any) -> GenerationResult:
        """Parse a decoded 2xx JSON body; raise BadResponseError if it has no usable image."""
        ...
