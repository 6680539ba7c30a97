"""What the window remembers between runs: geometry, panel sizes, parameters, negative
prompt (its text and whether it is expanded).

Run remembers the parameters, but writing the file on the GUI thread costs tens of ms
inside the click: `save_soon()` collects them a moment later and a second QSettings on the
same file writes them in the pool (quit writes them again, on the GUI thread). The pool's
sync releases the GIL (qt/settings_sync.py): PySide6's own holds it through the file's
lock, write and two fdatasync() calls, and stalled the window while photos were dropped.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Executor
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtWidgets import QMainWindow

from qwen_studio.qt.settings_sync import sync_without_gil
from qwen_studio.ui.editor.parameters_panel import ParametersPanel
from qwen_studio.ui.editor.prompt_panel import PromptPanel
from qwen_studio.ui.window_layout import WindowLayout

SAVE_DEBOUNCE_MS = 1000  # Run remembers the parameters this long after the click
PARAM_KEYS = ("model", "size", "n", "seed", "watermark", "prompt_extend", "expanded")


class WindowSettings:
    def __init__(self, settings: QSettings, window: QMainWindow, layout: WindowLayout,
                 params: ParametersPanel, prompt: PromptPanel, pool: Executor) -> None:
        self.settings, self.window, self.layout = settings, window, layout
        self.params, self.prompt, self.pool = params, prompt, pool
        self._timer: QTimer | None = None
        self.closed = False
        self.first_start = False

    def restore(self) -> bool:
        """Apply what was saved. Returns whether the splitter still needs its first-run
        sizes (nothing saved for it). `first_start` tells whether no geometry was saved
        (the launcher then shows the window maximised)."""
        s = self.settings
        geom = s.value("window/geometry")
        self.first_start = not (isinstance(geom, QByteArray | bytes) and geom)
        if not self.first_start:
            self.window.restoreGeometry(QByteArray(geom))
        else:
            self.window.resize(1400, 900)
        state = s.value("window/splitter")
        default_split = True
        if isinstance(state, QByteArray | bytes) and state:
            default_split = not self.layout.restore_state(QByteArray(state))
        values = {k: s.value(f"params/{k}") for k in PARAM_KEYS}
        if any(v is not None for v in values.values()):
            self.params.set_values(values)
        neg = s.value("prompt/negative")
        if isinstance(neg, str):
            self.prompt.set_negative_prompt(neg)
        expanded = s.value("prompt/negativeExpanded")
        self.prompt.set_negative_expanded(expanded in (True, "true", "1", 1))
        return default_split

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "window/geometry": self.window.saveGeometry(),
            "window/splitter": self.layout.save_state(),
        }
        values.update({f"params/{k}": v for k, v in self.params.values().items()})
        values["prompt/negative"] = self.prompt.negative_prompt()
        values["prompt/negativeExpanded"] = self.prompt.negative_expanded()
        return values

    def save(self) -> None:
        s = self.settings
        for k, v in self.values().items():
            s.setValue(k, v)
        s.sync()

    def save_soon(self) -> None:
        if self._timer is None:
            # A child of the window: it dies with it, and shutdown stops it.
            self._timer = QTimer(self.window)
            self._timer.setSingleShot(True)
            self._timer.setInterval(SAVE_DEBOUNCE_MS)
            self._timer.timeout.connect(self._save_in_pool)
        self._timer.start()

    def _save_in_pool(self) -> None:
        if self.closed:
            return
        values = self.values()
        name, fmt = self.settings.fileName(), self.settings.format()

        def write() -> None:
            # QSettings objects on one file share its cache under a lock: safe per thread.
            s = QSettings(name, fmt)
            for k, v in values.items():
                s.setValue(k, v)
            sync_without_gil(s)

        with contextlib.suppress(RuntimeError):  # pool shut down at exit
            self.pool.submit(write)
