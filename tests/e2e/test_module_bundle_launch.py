"""The window's second start imports its modules from the bundle (core/module_bundle.py).

Two `qwen-studio --demo` starts through the real entry point, in fresh processes sharing
one bytecode folder (as two starts of an installed app do): the first writes the bundle
after its first frame, the second imports every module of its first frame from it, and
shows the same editor from the same modules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Runs in the child: watches the window for its first paint, reports, and closes it.
_DRIVER = r"""
import json, sys
import qwen_studio.__main__ as entry

# The SVG renderer: every icon of the first frame comes from the kept pixels (ui/icons.py).
_NOT_FOR_A_WARM_START = ("PySide6.QtSvg",)

before_qt = entry._import_before_qt


def import_before_qt():
    before_qt()
    entry._import_qt()  # as main() does next, before the window's modules
    import qwen_studio.app.launch as app_mod
    from PySide6.QtCore import QEvent, QObject, QTimer

    from qwen_studio.core import module_bundle
    from qwen_studio.core import regex_code
    from qwen_studio.qt import support_code

    create = app_mod.create_main_window

    class Watch(QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Paint and not hasattr(self, "done"):
                self.done = True
                mods = {n: m for n, m in sys.modules.items() if n.startswith("qwen_studio")}
                print("REPORT " + json.dumps({
                    "modules": sorted(mods),
                    "served": sorted(n for n, m in mods.items() if type(
                        getattr(m.__spec__, "loader", None)) is module_bundle._Loader),
                    "editor_at_paint": obj.canvas_stack.currentWidget() is obj.compare_view,
                    # What a start with warm caches need not load before its first frame.
                    "loaded_at_paint": sorted(n for n in _NOT_FOR_A_WARM_START
                                              if n in sys.modules),
                    # PySide's support modules compiled from source (qt/support_code.py).
                    "pyside_compiled": support_code.counts()[1],
                    # Regular expressions parsed by re (core/regex_code.py).
                    "regex_compiled": regex_code._new,
                }), flush=True)
                QTimer.singleShot(0, obj.close)
            return False

    def watched(*a, **kw):
        window = create(*a, **kw)
        window.installEventFilter(Watch(window))
        return window

    app_mod.create_main_window = watched


entry._import_before_qt = import_before_qt
sys.exit(entry.main(sys.argv[1:]))
"""

# Imported by the entry point before it reads the bundle: always from their own files.
_BEFORE_THE_BUNDLE = {"qwen_studio", "qwen_studio.__main__", "qwen_studio.core",
                      "qwen_studio.core.dataclass_code", "qwen_studio.core.module_bundle",
                      "qwen_studio.core.marshal_file"}  # the two caches' file format


def _start(tmp_path: Path, run: int) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               QWEN_STUDIO_HOME=str(tmp_path / f"home{run}"),
               PYTHONPYCACHEPREFIX=str(tmp_path / "pycache"),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app writes its bytecode
    proc = subprocess.run([sys.executable, "-c", _DRIVER, "--demo"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT ")]
    assert lines, f"no report; stderr:\n{proc.stderr[-3000:]}"
    return json.loads(lines[0].removeprefix("REPORT "))


def test_the_second_start_takes_the_first_frame_s_modules_from_the_bundle(tmp_path):
    first = _start(tmp_path, 1)
    assert first["served"] == []  # no bundle yet: every module from its own file
    assert first["editor_at_paint"] is True
    bundles = list((tmp_path / "pycache").rglob("module-code.*.marshal"))
    assert len(bundles) == 1  # written after the first frame

    second = _start(tmp_path, 2)
    assert second["modules"] == first["modules"]  # the same modules ...
    assert second["served"] == sorted(set(second["modules"]) - _BEFORE_THE_BUNDLE)  # ... here
    assert second["editor_at_paint"] is True


def test_a_warm_start_loads_only_what_its_first_frame_needs(tmp_path):
    first = _start(tmp_path, 1)  # writes the caches after its first frame
    assert first["pyside_compiled"] > 10 and first["regex_compiled"] > 10
    second = _start(tmp_path, 2)
    assert second["loaded_at_paint"] == []
    assert second["pyside_compiled"] == second["regex_compiled"] == 0
