"""The model combo's per-profile list: the catalog plus what the endpoint's GET /v1/models
names, fetched in the pool (never on the GUI thread) the first time the list opens, cached
per profile, refreshed by Settings ▸ Test connection, and switched with the endpoint.

The HTTP code (core.model_list, httpx) loads only when a list is first wanted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from qwen_studio.core.endpoint import Endpoint

if TYPE_CHECKING:
    from qwen_studio.core.model_list import ModelListCache
    from qwen_studio.qt.connection import Connection
    from qwen_studio.qt.tasks import TaskRunner
    from qwen_studio.ui.editor.parameters_panel import ParametersPanel


class ModelLists(QObject):
    def __init__(self, params: ParametersPanel, connection: Connection, tasks: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.params = params
        self.connection = connection
        self.tasks = tasks
        self.cache: ModelListCache | None = None  # built at the first fetch
        self._shown_for: str | None = None  # the cache key of the list on show
        # The endpoint listing the panel offers (None: the catalog alone, as it is built):
        # the start-up profile's first change would refill the same catalog list (~3 ms).
        self._offered: tuple[str, ...] | None = None
        params.modelListWanted.connect(lambda: self.load())
        connection.changed.connect(self._on_connection_changed)

    def _on_connection_changed(self) -> None:
        endpoint = self.connection.endpoint
        key = self._key(endpoint)
        if key == self._shown_for:
            return
        self._shown_for = key
        listing = self.cache.cached(endpoint) if self.cache and endpoint else None
        self._offer(listing.ids if listing else None)  # this profile's

    def _offer(self, ids: tuple[str, ...] | None) -> None:
        if ids is None and self._offered is None:
            return  # the catalog alone is what the panel shows already
        self._offered = ids
        self.params.set_listed_models(ids)

    @staticmethod
    def _key(endpoint: Endpoint | None) -> str | None:
        return None if endpoint is None else f"{endpoint.profile_name}\n{endpoint.base_url}"

    def load(self, endpoint: Endpoint | None = None, *, refresh: bool = False) -> None:
        """Fetch a profile's listing in the pool (once per profile, again on refresh) and
        offer it in the model list when that profile is the active one."""
        endpoint = endpoint or self.connection.endpoint
        if endpoint is None or self.tasks.closed:
            return
        if self.cache is None:
            from qwen_studio.core.model_list import ModelListCache, fetch_listing_blocking

            tasks = self.tasks
            self.cache = ModelListCache(lambda ep: tasks.run(fetch_listing_blocking, ep))
        cache = self.cache

        async def load() -> None:
            listing = await cache.get(endpoint, refresh=refresh)
            active = self.connection.endpoint
            if active is not None and cache.key(active) == cache.key(endpoint):
                self._offer(listing.ids)

        self.tasks.spawn(load())
