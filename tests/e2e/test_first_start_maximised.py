"""Issue #17: the first start opens maximised (all the room to the image); once the user
has a window size, the next start keeps theirs. Through the real entry point, in a fresh
process each time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Runs in the child: reports the window state at its first paint, then quits.
_DRIVER = r"""
import json, sys

import qwen_studio.app.launch as app_mod
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

report = {}
_orig = app_mod.create_main_window


class Watch(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "maximised" not in report:
            report["maximised"] = bool(obj.windowState() & Qt.WindowState.WindowMaximized)
            report["first_start"] = obj.window_settings.first_start
            report["size"] = [obj.width(), obj.height()]
            QTimer.singleShot(0, lambda: finish(obj))
        return False


def finish(w):
    asyncio = sys.modules.get("asyncio")
    if asyncio is None or asyncio._get_running_loop() is None:
        QTimer.singleShot(50, lambda: finish(w))  # still in the first-frame pump
        return
    if "--restore-down" in sys.argv:  # the user makes it a window of their own size
        w.showNormal()
        w.resize(720, 560)  # inside the offscreen screen (800×800): restoreGeometry fits to it
        QApplication.processEvents()
        report["closed_at"] = [w.width(), w.height()]
    print("REPORT " + json.dumps(report), flush=True)
    w.close()  # saves the geometry, as a user quitting does


def create(*a, **kw):
    w = _orig(*a, **kw)
    w.installEventFilter(Watch(w))
    return w


app_mod.create_main_window = create
from qwen_studio.__main__ import main

sys.exit(main([a for a in sys.argv[1:] if a != "--restore-down"]))
"""


def _start(home: Path, *args: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QWEN_STUDIO_HOME=str(home),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    for var in ("QWEN_STUDIO_ENDPOINT", "QWEN_STUDIO_API_KEY"):
        env.pop(var, None)
    proc = subprocess.run([sys.executable, "-c", _DRIVER, *args], env=env, capture_output=True,
                          text=True, timeout=120)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[0].removeprefix("REPORT "))


def test_first_start_is_maximised_and_the_next_keeps_the_users_size(tmp_path):
    first = _start(tmp_path / "home", "--restore-down")
    assert first["maximised"] and first["first_start"]
    # The user's own size was saved when the window closed: the next start keeps it.
    second = _start(tmp_path / "home")
    assert not second["maximised"] and not second["first_start"]
    assert second["size"] == first["closed_at"], (first, second)
    assert first["closed_at"] != first["size"]
