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

from qwen_studio.core.catalog import Catalog, default_catalog
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.core.errors import ConfigError
from qwen_studio.core.styles.dashscope import GENERATION_PATH
from qwen_studio.core.styles.flat import GENERATIONS_PATH, clean_base_url

if TYPE_CHECKING:
    import httpx

MODELS_PATH = "/v1/models"
MAX_LISTING_BYTES = 4 * 2**20


@dataclass(frozen=True)
class ModelEntry:
    """One model to offer: `source` says where it came from ("catalog", "endpoint" or
    "catalog+endpoint"); `family` is "" for a name the catalog does not know."""

    id: str
    source: str
    family: str = ""
    name: str = ""
    description: str = ""
    recommended: bool = False
    edits: bool = True
    generates: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "source": self.source, "family": self.family or None,
                "name": self.name, "description": self.description,
                "recommended": self.recommended, "edits": self.edits,
                "generates": self.generates}


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
        return Listing(None, f"could not reach {url} ({type(exc).__name__})")
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
        return Listing(None, f"could not reach {url} ({type(exc).__name__})")
    return _listing(resp.status_code, resp.content)


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


def merge(listed: tuple[str, ...] | None, catalog: Catalog | None = None, *,
          lang: str = "en", everything: bool = False) -> list[ModelEntry]:
    """The catalog's models (recommended first, then catalog order) and the endpoint's.

    An endpoint name the catalog does not know is offered when it looks like an image model
    (relays list their chat models too), or always with `everything`."""
    catalog = catalog or default_catalog()
    on_endpoint = set(listed or ())
    entries: list[ModelEntry] = []
    families = sorted(catalog.families, key=lambda f: not f.recommended)
    for family in families:
        for name in family.names:
            source = "catalog+endpoint" if name in on_endpoint else "catalog"
            entries.append(ModelEntry(
                name, source, family.id, family.display_name(lang), family.describe(lang),
                family.recommended, family.edits, family.generates))
    known = {e.id for e in entries}
    for name in listed or ():
        if name in known:
            continue
        family = catalog.lookup(name)
        if family is not None:  # a dated snapshot the catalog matches by pattern
            entries.append(ModelEntry(
                name, "endpoint", family.id, family.display_name(lang), family.describe(lang),
                family.recommended, family.edits, family.generates))
        elif everything or "image" in name.lower():
            entries.append(ModelEntry(name, "endpoint"))
    return entries
