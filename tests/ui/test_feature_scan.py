"""qt/feature_scan.py: our modules (and those already imported) are entered in PySide6's
feature table as its hook would classify them, so it never reads their source."""

from __future__ import annotations

import importlib
import sys

from qwen_studio.qt import feature_scan


def test_modules_are_classified_like_the_hook_would():
    table = importlib.import_module("PySide6.support.feature").pyside_feature_dict
    # Earlier tests' imports may have let the hook classify some of ours already (reading
    # their source): start from a table without them, as at a real start.
    ours = {k: table.pop(k) for k in list(table) if k.startswith("qwen_studio")}
    try:
        _check_table(table)
    finally:
        table.update({k: v for k, v in ours.items() if k not in table})


def _check_table(table: dict[str, int]) -> None:
    import qwen_studio.app.launch
    import qwen_studio.core.request
    import qwen_studio.sandbox.server
    import qwen_studio.ui.history
    import qwen_studio.ui.main_window  # noqa: F401

    feature_scan.register_modules()
    assert table["qwen_studio.core.request"] == -1  # Qt-free layer: ignored
    assert table["qwen_studio.sandbox.server"] == -1
    assert table["qwen_studio.ui.main_window"] == 0  # uses PySide, no feature selected
    assert table["qwen_studio.app.launch"] == 0
    assert table["qwen_studio.ui.history"] == 0  # a package's __init__
    # Modules imported later are entered as the import system looks for them.
    feature_scan._EnterOurs.find_spec("qwen_studio.cli.not_imported_yet")
    feature_scan._EnterOurs.find_spec("qwen_studio.ui.not_imported_yet")
    assert table.pop("qwen_studio.cli.not_imported_yet") == -1
    assert table.pop("qwen_studio.ui.not_imported_yet") == 0
    assert all(name in table for name in list(sys.modules))  # the stdlib read before, too
    # Those imported before it, as the hook answers: source naming PySide6 or not.
    assert feature_scan.loaded_flag("PySide6", sys.modules["PySide6"]) == 0
    assert feature_scan.loaded_flag("PySide6.QtWidgets", sys.modules["PySide6.QtWidgets"]) == -1
    assert feature_scan.loaded_flag("typing", sys.modules["typing"]) == -1
    assert feature_scan.register_modules() == 0  # idempotent


# In a fresh process: PySide6 loaded, the modules registered, then the window's modules
# imported (as the entry point does). The hook reads none of their source.
_FRESH = r"""
import json, linecache, sys
import qwen_studio  # imported before PySide6 by the entry point
from qwen_studio.qt import feature_scan

feature_scan.register_modules()
import qwen_studio.app.launch  # ~110 of our modules
import qwen_studio.ui.batch.dock  # and one the window imports after its first frame
print(json.dumps(sorted(f for f in linecache.cache if "qwen_studio" in f)))
"""


def test_the_hook_reads_none_of_our_modules():
    import json
    import subprocess

    proc = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == []
