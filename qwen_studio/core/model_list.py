"""Which models an endpoint offers: the catalog merged with the endpoint's `GET /v1/models`.

OpenAI-compatible relays (new-api, one-api, LiteLLM) list their models in the OpenAI shape
`{"object": "list", "data": [{"id": ...}, ...]}`. Model Studio's own image path does not:
an endpoint without the listing is normal and gives the catalog alone, never an error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qwen_studio.core.catalog import ModelEntry, merge
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.core.errors import ConfigError
from qwen_studio.core.styles.dashscope import GENERATION_PATH
from qwen_studio.core.styles.flat import GENERATIONS_PATH, clean_base_url

if TYPE_CHECKING:
    import httpx

__all__ = ["Listing", "ModelEntry", "ModelListCache", "fetch_listing", "fetch_listing_blocking",
           "merge", "models_url"]

MODELS_PATH = "/v1/models"
MAX_LISTING_BYTES = 4 * 2**20


@dataclass(frozen=True)
class Listing:
    """What the endpoint listed: `ids` None when it lists nothing (with `note` saying why)."""

    ids: tuple[str, ...] | None
    note: str = ""


def models_url(base_url: str) -> str:
    """`{base}/v1/models` for a base typed with or without /v1 or a generation path."""
    base = clean_base_url(base_url)
    for suffix in (GENERATIONS_PATH, GENERATION_PATH, "/api/v1", "/v1"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return base + MODELS_PATH


async def fetch_listing(http: httpx.AsyncClient, endpoint: Endpoint,
                        timeout: float = 15.0) -> Listing:
    """The endpoint's model ids. Any failure (no such path, refused key, not the OpenAI
    shape, no connection) is a Listing without ids: the catalog still applies."""
    import httpx

    try:
        url = models_url(endpoint.base_url)
    except ConfigError as exc:
        return Listing(None, exc.user_message)
    try:
        resp = await http.get(url, headers=_headers(endpoint), timeout=timeout)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Listing(None, _unreachable(url, exc))
    return _listing(resp.status_code, resp.content)


def fetch_listing_blocking(endpoint: Endpoint, timeout: float = 10.0) -> Listing:
    """fetch_listing for a worker thread (the window's pool): its own short-lived client."""
    import httpx

    from qwen_studio import __version__

    try:
        url = models_url(endpoint.base_url)
    except ConfigError as exc:
        return Listing(None, exc.user_message)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False,
                          headers={"User-Agent": f"qwen-studio/{__version__}"}) as http:
            resp = http.get(url, headers=_headers(endpoint))
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Listing(None, _unreachable(url, exc))
    return _listing(resp.status_code, resp.content)


def _unreachable(url: str, exc: Exception) -> str:
    """'could not reach URL (the host name could not be found)': the plain reason, as an
    edit's failure says it, not the httpx class name."""
    import httpx

    from qwen_studio.core.client_errors import transport_reason

    why = (str(transport_reason(exc)) if isinstance(exc, httpx.RequestError)
           else "not a valid address" if isinstance(exc, httpx.InvalidURL)
           else type(exc).__name__)
    return f"could not reach {url} ({why})"


def _headers(endpoint: Endpoint) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    if endpoint.api_key:
        headers["Authorization"] = f"Bearer {endpoint.api_key}"
    return headers


def _listing(status: int, content: bytes) -> Listing:
    if status in (404, 405):
        return Listing(None, "the endpoint does not list its models")
    if status in (401, 403):
        return Listing(None, f"the endpoint refused to list its models (HTTP {status})")
    if not 200 <= status < 300:
        return Listing(None, f"listing the models failed (HTTP {status})")
    if len(content) > MAX_LISTING_BYTES:
        return Listing(None, "the model list is too large")
    try:
        data = json.loads(content).get("data")
    except (ValueError, UnicodeDecodeError, AttributeError):
        data = None
    if not isinstance(data, list):
        return Listing(None, "the endpoint's answer is not a model list")
    ids = [item["id"].strip() for item in data
           if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].strip()]
    return Listing(tuple(dict.fromkeys(ids)))


class ModelListCache:
    """Each profile's listing, fetched once (or again on `refresh`, e.g. Test connection)."""

    def __init__(self, fetch: Callable[[Endpoint], Awaitable[Listing]]) -> None:
        self._fetch = fetch
        self._lists: dict[str, Listing] = {}

    @staticmethod
    def key(endpoint: Endpoint) -> str:
        return f"{endpoint.profile_name}\n{endpoint.base_url}"

    def cached(self, endpoint: Endpoint) -> Listing | None:
        return self._lists.get(self.key(endpoint))

    async def get(self, endpoint: Endpoint, *, refresh: bool = False) -> Listing:
        key = self.key(endpoint)
        if refresh or key not in self._lists:
            self._lists[key] = await self._fetch(endpoint)
        return self._lists[key]
