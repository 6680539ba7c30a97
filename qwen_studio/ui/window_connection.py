"""The window's connection API: the endpoint, client settings, profiles and model lists.

A mixin of MainWindow (main_window.py): the names dialogs, the composition root and tests
drive the window by. The work is the Connection's (qt/connection), the EditSession's
(qt/edit_session) and the ConnectionStatus's (ui/connection_status); this forwards, and
decides when the configured profile is read (`load_config`).

A saved profile's API key lives in the system keyring: importing keyring and finding its
backend costs ~50 ms of CPU (more on a desktop, over D-Bus), so a start with a saved
profile shows the editor under the profile's name at once and reads the key in the pool
after the first frame. Anything that needs the key before that reads it there and then
(the Connection's `endpoint_now`: Run, a history re-run, the batch's resume and retries).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from qwen_studio.core.config import ENV_KEY, ConfigStore, ResolvedConfig
from qwen_studio.core.endpoint import ClientSettings, Endpoint
from qwen_studio.core.errors import ConfigError
from qwen_studio.core.http_session import LazyHttpClient
from qwen_studio.qt.connection import Connection
from qwen_studio.qt.edit_session import EditSession
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui.connection_status import ConnectionStatus
from qwen_studio.ui.editor.model_lists import ModelLists
from qwen_studio.ui.editor.parameters_panel import ParametersPanel

if TYPE_CHECKING:
    from qwen_studio.core.editing.service import EditService
    from qwen_studio.core.model_list import ModelListCache


class WindowConnection:
    # Provided by MainWindow.
    config_store: ConfigStore
    http: LazyHttpClient
    tasks: TaskRunner
    connection: Connection
    connection_status: ConnectionStatus
    edit_session: EditSession
    qsettings: QSettings
    params: ParametersPanel
    model_list: ModelLists

    @property
    def endpoint(self) -> Endpoint | None:
        return self.connection.endpoint

    def set_endpoint(self, endpoint: Endpoint | None, default_model: str = "") -> None:
        if endpoint is not None and default_model and not self.qsettings.value("params/model"):
            self.params.set_model(default_model)
        self.connection.set_endpoint(endpoint)

    @property
    def client_settings(self) -> ClientSettings:
        return self.edit_session.client_settings

    def set_client_settings(self, settings: ClientSettings) -> None:
        """Client settings for new edits and batches (edits in flight keep theirs)."""
        self.edit_session.set_client_settings(settings)

    @property
    def has_client(self) -> bool:
        return self.edit_session.has_client

    @property
    def edits(self) -> EditService:
        """The EditService every edit of this window runs in (built on first use)."""
        return self.edit_session.service

    def load_config(self) -> None:
        """The configured endpoint (start-up): now if the environment gives the key or no
        profile is saved; a saved profile's key is read in the pool (see the docstring)."""
        store = self.config_store
        profile = None if os.environ.get(ENV_KEY, "").strip() else store.active()
        if profile is None:
            self.connection_status.load_config(store, self.set_endpoint)
            return
        self.connection.defer_endpoint(self._read_saved_profile_now)
        self.connection_status.show_profile(profile.name, profile.base_url, profile.style)
        self.tasks.spawn(self._read_saved_profile())  # held until the loop runs (app.main)

    async def _read_saved_profile(self) -> None:
        resolved: ResolvedConfig | None = None
        if self.connection.endpoint_pending:
            try:
                resolved = await self.tasks.run(self.config_store.resolve)
            except ConfigError:
                resolved = None  # said as at any start without a usable profile
        if self.connection.endpoint_pending:  # not read meanwhile (an edit, Settings)
            self.set_endpoint(resolved.endpoint if resolved else None,
                              resolved.model if resolved else "")

    def _read_saved_profile_now(self) -> None:
        """Something is about to start an edit before the pool's read landed: read the key
        on the GUI thread (a click wants the answer)."""
        self.connection_status.load_config(self.config_store, self.set_endpoint)

    async def reload_config(self) -> None:
        self.connection.defer_endpoint(None)  # Settings saved a profile: that one counts
        await self.connection_status.reload_config(self.config_store, self.tasks,
                                                   self.set_endpoint)

    def start_demo(self, latency: float = 1.5) -> None:
        """Switch to the built-in sandbox, started in the pool: the editor shows at once,
        connected when the sandbox is up."""
        self.connection.start_demo(latency)

    async def test_connection(self, endpoint: Endpoint) -> str:
        from qwen_studio.core.client import ImageClient

        text = await ImageClient(self.http.get(), endpoint).check_connection()
        self.model_list.load(endpoint, refresh=True)  # Test connection refreshes the list
        return text

    @property
    def model_lists(self) -> ModelListCache | None:
        """Each profile's GET /v1/models (None until a list was first wanted)."""
        return self.model_list.cache

    def load_model_list(self, endpoint: Endpoint | None = None, *, refresh: bool = False) -> None:
        self.model_list.load(endpoint, refresh=refresh)
