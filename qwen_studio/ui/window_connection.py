"""The window's connection API: the endpoint, client settings, profiles and model lists.

A mixin of MainWindow (main_window.py): the names dialogs, the composition root and tests
drive the window by. The work is the Connection's (qt/connection), the EditSession's
(qt/edit_session) and the ConnectionStatus's (ui/connection_status); this only forwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from qwen_studio.core.config import ConfigStore
from qwen_studio.core.endpoint import ClientSettings, Endpoint
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
        self.connection_status.load_config(self.config_store, self.set_endpoint)

    async def reload_config(self) -> None:
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
