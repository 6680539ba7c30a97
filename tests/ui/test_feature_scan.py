"""qt/feature_scan.py: our modules (and those already imported) are entered in PySide6's
feature table as its hook would classify them, so it never reads their source."""

from __future__ import annotations

import importlib
import sys

from qwen_studio.qt import feature_scan


def test_modules_are_classified_like_the_hook_would():
    table = importlib.import_module("PySide6.support.feature").pyside_feature_dict
    feature_scan.register_modules()
    assert table["qwen_studio.core.request"] == -1  # Qt-free layer: ignored
    assert table["qwen_studio.sandbox.server"] == -1
    assert table["qwen_studio.ui.main_window"] == 0  # uses PySide, no feature selected
    assert table["qwen_studio.app.launch"] == 0
    assert table["qwen_studio.ui.history"] == 0  # a package's __init__
    assert not any(name.endswith("__pycache__") for name in table)
    assert all(name in table for name in list(sys.modules))  # the stdlib read before, too
    # Those imported before it, as the hook answers: source naming PySide6 or not.
    assert feature_scan.loaded_flag("PySide6", sys.modules["PySide6"]) == 0
    assert feature_scan.loaded_flag("PySide6.QtWidgets", sys.modules["PySide6.QtWidgets"]) == -1
    assert feature_scan.loaded_flag("typing", sys.modules["typing"]) == -1
    assert feature_scan.register_modules() == 0  # idempotent
