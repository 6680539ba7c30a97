"""`qwen-studio --demo` through the real entry point (app.main), in a fresh process.

main() paints the window before asyncio and qasync are imported, then starts the loop and
releases what the window held back. This drives that path end to end: first paint, an
edit run from the window against the demo sandbox, the post-paint build, a clean exit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Runs in the child: hooks create_main_window only to watch and drive the window. Run by
# _DRIVER at the point where main() imports the window's modules, so the import order (and
# what PySide6 reads of them) is the real one.
_BODY = r"""
import json, os, sys
from pathlib import Path

import qwen_studio.app.launch as app_mod
from PySide6.QtCore import QEvent, QObject, QTimer

PHOTO = Path(sys.argv[1])
ARGS = sys.argv[2:]
report = {}
_orig = app_mod.create_main_window


class Watch(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "asyncio_at_paint" not in report:
            report["asyncio_at_paint"] = "asyncio" in sys.modules
            report["qasync_at_paint"] = "qasync" in sys.modules
            report["httpx_at_paint"] = "httpx" in sys.modules
            # A saved profile's key is read once the loop runs (ui/window_connection.py).
            report["keyring_at_paint"] = "keyring" in sys.modules
            # The log file's handler is set up after the first frame (app/launch.py).
            report["log_handlers_at_paint"] = "logging.handlers" in sys.modules
            # The dataclasses defined before it took their methods' code from the cache.
            report["dataclass_code_cache"] = getattr(
                sys.modules["dataclasses"], "exec", None) is not None
            # PySide6 was told which modules use it (qt/feature_scan.py) instead of reading
            # each one's source: none of ours is in linecache.
            import linecache

            report["sources_read"] = sorted(
                Path(f).relative_to(Path(__import__("qwen_studio").__file__).parent).as_posix()
                for f in linecache.cache if "qwen_studio" in f)
            # ... nor of the big stdlib modules imported before PySide6 and named again.
            report["stdlib_read"] = sorted(f for f in linecache.cache if f.endswith(
                ("typing.py", "argparse.py", "dataclasses.py", "pathlib.py", "datetime.py")))
            report["editor_at_paint"] = obj.canvas_stack.currentWidget() is obj.compare_view
            # Qt's image work runs on the calling thread (set by app/ before Qt reads it).
            report["gui_threadpool_off"] = os.environ.get("QT_NO_GUI_THREADPOOL") == "1"
            report["status_at_paint"] = obj.profile_label.text()
            QTimer.singleShot(0, lambda: _after_first_frame(obj))  # the children painted too
        return False


def _after_first_frame(window):
    # Built after the first frame, when first used (the drive checks they work then).
    from PySide6 import QtGui, QtWidgets

    report["built_for_first_frame"] = sorted(name for name, built in (
        ("QStyle", "QStyle" in vars(QtWidgets)),  # 11 Python enums, ~5 ms
        ("QGradient", "QGradient" in vars(QtGui)),  # QPainter.fillRect's overloads build it
        ("hashlib", "hashlib" in sys.modules),  # loads OpenSSL
        # Every QWidget subclass's Python type (~15 ms): PySide realises them all to wrap a
        # widget C++ made, such as a list's viewport, the first time Python asks for one.
        ("QWizard", "QWizard" in vars(QtWidgets)),
        # Not in the first frame, built after it or when first wanted (issue 18).
        ("versions dock", "qwen_studio.ui.versions.dock" in sys.modules),
        ("prompt library popup", "qwen_studio.ui.editor.prompt_library_popup" in sys.modules),
        ("prompt library store", "qwen_studio.core.prompt_library" in sys.modules),
        ("results grid", "qwen_studio.ui.results.panel" in sys.modules),
        # The canvas's parts no first frame shows (no image yet): built after it.
        ("mask tools", "qwen_studio.ui.compare.mask_tools" in sys.modules),
        ("mask layer", "qwen_studio.ui.compare.mask_layer" in sys.modules),
        ("QToolBar", "QToolBar" in vars(QtWidgets)),
        ("QSlider", "QSlider" in vars(QtWidgets)),
        ("results strip", "qwen_studio.ui.compare.result_strip" in sys.modules),
        ("QListWidget", "QListWidget" in vars(QtWidgets)),
        ("changes mode", "qwen_studio.ui.compare.changes_mode" in sys.modules),
        # The negative prompt's box: built when first opened or given text.
        ("negative prompt box", window.prompt_panel.negative_built is not None),
        # The notice banner: built when the first notice shows (most starts show none).
        ("notice banner", "qwen_studio.ui.notices.banner" in sys.modules),
        # The welcome panel: a configured or demo start never shows it.
        ("welcome panel", "qwen_studio.ui.dialogs.welcome_panel" in sys.modules),
        # The history's version tree: made when a selected edit first has versions.
        ("version tree", "qwen_studio.ui.history.lineage_view" in sys.modules),
        ("QTreeWidget", "QTreeWidget" in vars(QtWidgets)),
        # The history's list: an empty history shows only its placeholder; the list and
        # its modules are built when rows arrive or after the first frame (~4-5 ms).
        ("history list", "qwen_studio.ui.history.list_view" in sys.modules),
        ("history delegate", "qwen_studio.ui.history.delegate" in sys.modules),
        ("history row painter", "qwen_studio.ui.history.row_painter" in sys.modules),
        ("history row text", "qwen_studio.ui.history.row_text" in sys.modules),
        ("history scroll bar", "qwen_studio.ui.history.scroll_bar" in sys.modules),
        ("QTableView", "QTableView" in vars(QtWidgets)),
        # Used where a file URL, an image read or a colour space is needed (~1.4 ms).
        ("QUrl", "QUrl" in vars(__import__("PySide6.QtCore").QtCore)),
        ("QColorSpace", "QColorSpace" in vars(QtGui)),
        ("QImageReader", "QImageReader" in vars(QtGui)),
        ("QBuffer", "QBuffer" in vars(__import__("PySide6.QtCore").QtCore)),
        # The empty prompt box is sized without its document: PySide's QTextDocument and
        # QTextLayout types and their seven enums wait for the first text (~1.5 ms).
        ("QTextDocument", "QTextDocument" in vars(QtGui)),
        ("QTextLayout", "QTextLayout" in vars(QtGui)),
        # Start-up's timers are timer objects: QTimer.singleShot(ms, context, slot) builds
        # QMetaMethod's type and enums on first use (app/window.py single_shot).
        ("QMetaMethod", "QMetaMethod" in vars(__import__("PySide6.QtCore").QtCore)),
        # The model combo's rows: its line edit shows the model; the rows come after.
        ("model list rows", window.params.model_combo.count() > 0),
        # The file dialog and its helpers: imported where Save as, Export, Show in folder use
        # them (ui/history too), ~0.3-0.9 ms each to build.
        ("QFileDialog", "QFileDialog" in vars(QtWidgets)),
        ("QDesktopServices", "QDesktopServices" in vars(QtGui)),
        ("QStandardPaths", "QStandardPaths" in vars(__import__("PySide6.QtCore").QtCore)),
    ) if built)
    import gc

    report["gc_in_first_frame"] = gc.isenabled()


async def drive(w):
    import asyncio

    done = asyncio.Event()
    def on_progress(p) -> None:
        if p.status == "done":
            report.update(result=[str(path) for path in p.result.paths])
            done.set()
        elif p.status == "failed":
            report.update(error=str(p.error))
            done.set()

    w.edit_signals.progressChanged.connect(on_progress)
    import gc

    frozen_at_start = gc.get_freeze_count()  # app.main froze start-up's objects
    for _ in range(1000):  # the demo sandbox starts in the pool once the loop runs
        if w.endpoint is not None:
            break
        await asyncio.sleep(0.02)
    report["status_when_ready"] = w.profile_label.text()
    w.add_inputs([PHOTO])
    view = w.compare_view
    for _ in range(500):
        if w.inputs and view.before_image() is not None:
            break
        await asyncio.sleep(0.02)
    # The canvas's parts built after the first frame are there for the first photo: the
    # mask tools show over it and draw on it.
    report["hidden_parts_built"] = (view.parts.region_built is not None
                                    and view.parts.strip_built is not None)
    report["mask_bar_shown"] = view.region.bar.isVisibleTo(w)
    view.region.toolbar.tool_actions["brush"].trigger()
    report["mask_tool"] = view.region.controller.tool()
    view.region.toolbar.tool_actions["brush"].trigger()  # off again: the edit is whole-image
    w.prompt_panel.prompt_edit.setPlainText("make it warmer")
    report["job"] = w.run_edit() is not None  # the edit was sent
    await asyncio.wait_for(done.wait(), 60)
    report["batch_built"] = w.built_batch is not None
    report["model_list_filled"] = w.params.model_combo.count() > 0  # by the post-paint build
    from PySide6.QtWidgets import QDockWidget

    report["versions_built"] = w.findChild(QDockWidget, "versionsDock") is not None
    # What the first frame did without now works: a notice's icon (QStyle), an over-long
    # prompt's warning icon.
    from qwen_studio.core.request import PROMPT_LIMIT
    from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel

    w.notices.show(Notice(NoticeKind.TASK_FAILED, NoticeLevel.ERROR, "Something failed", ""))
    report["banner_icon"] = w.banner.isVisibleTo(w) and not w.banner._icon.pixmap().isNull()
    w.prompt_panel.prompt_edit.setPlainText("x" * (PROMPT_LIMIT + 1))
    counter = w.prompt_panel.prompt_count
    report["too_long_icon"] = (counter._icon.isVisibleTo(w)
                               and not counter._icon.pixmap().isNull())
    report["history_rows"] = w.history_model.rowCount()
    from PySide6.QtWidgets import QWidget

    history_list = w.findChild(QWidget, "historyList")  # built after the frame: the edit
    report["history_list_shown"] = (history_list is not None and history_list.isVisible()
                                    and history_list.rowAt(0) == 0)
    # What the deferred imports (and the edit) loaded is frozen too, once they settled.
    for _ in range(500):
        if gc.get_freeze_count() > frozen_at_start:
            break
        await asyncio.sleep(0.02)
    report["refrozen"] = gc.get_freeze_count() > frozen_at_start
    from qwen_studio.core import allocator

    report["allocator_fixed"] = allocator.applied()
    from qwen_studio.core.logs import log_file

    report["early_record_logged"] = "logged before the first frame" in log_file().read_text(
        encoding="utf-8")
    print("REPORT " + json.dumps(report), flush=True)
    w.close()


def start(w):
    asyncio = sys.modules.get("asyncio")  # importing it here would defeat the check above
    if asyncio is None or asyncio._get_running_loop() is None:
        QTimer.singleShot(50, lambda: start(w))  # still in the first-frame pump
        return
    w._drive_task = asyncio.ensure_future(drive(w))


def create(*a, **kw):
    import logging

    logging.getLogger("qwen_studio.test").info("logged before the first frame")
    w = _orig(*a, **kw)
    w.installEventFilter(Watch(w))
    QTimer.singleShot(0, lambda: start(w))
    return w


app_mod.create_main_window = create
"""

_DRIVER = r"""
import sys
import qwen_studio.__main__ as entry

_before_qt = entry._import_before_qt


def _import_before_qt():
    _before_qt()
    entry._import_qt()  # as main() does next (idempotent)
    exec(compile(BODY, "<driver>", "exec"), {"__name__": "__driver__"})


entry._import_before_qt = _import_before_qt
sys.exit(entry.main(sys.argv[2:]))
""".replace("BODY", repr(_BODY))


def _photo(path: Path) -> Path:
    from PySide6.QtGui import QColor, QImage

    img = QImage(320, 240, QImage.Format.Format_RGB32)
    img.fill(QColor(90, 140, 200))
    assert img.save(str(path), "JPEG")
    return path


def _launch(tmp_path: Path, args: list[str], **env_vars: str) -> tuple[dict, str]:
    photo = _photo(tmp_path / "photo.jpg")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QWEN_STUDIO_HOME=str(tmp_path / "home"),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    for var in ("QWEN_STUDIO_ENDPOINT", "QWEN_STUDIO_API_KEY", "QWEN_STUDIO_STYLE",
                "QWEN_STUDIO_MODEL"):
        env.pop(var, None)
    env.pop("QT_NO_GUI_THREADPOOL", None)  # the window sets it itself
    env.update(env_vars)
    proc = subprocess.run([sys.executable, "-c", _DRIVER, str(photo), *args], env=env,
                          capture_output=True, text=True, timeout=120)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT ")]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert lines, f"no report; stderr:\n{proc.stderr[-3000:]}"
    report = json.loads(lines[0].removeprefix("REPORT "))
    assert "error" not in report, report
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return report, proc.stderr


def test_configured_launch_paints_before_loading_the_http_stack(tmp_path, qapp, sandbox):
    # A configured profile (here from the environment) must not pull httpx in before the
    # first frame: the client is built at the first edit, which then works as usual.
    report, _ = _launch(tmp_path, [], QWEN_STUDIO_ENDPOINT=sandbox.base_url,
                        QWEN_STUDIO_API_KEY="test-key")
    assert report["asyncio_at_paint"] is False
    assert report["httpx_at_paint"] is False
    assert report["editor_at_paint"] is True
    assert report["status_at_paint"].startswith("●")  # connected from the first frame
    assert report["result"] and all(Path(p).is_file() for p in report["result"])


def test_saved_profile_launch_reads_its_key_after_the_first_frame(tmp_path, qapp, sandbox):
    # A profile saved in Settings, its key in the key store (here the private file: the
    # null keyring). The first frame shows the editor under its name without importing
    # keyring; the key is read once the loop runs, and the edit goes through with it.
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    profile = {"name": "Saved", "base_url": sandbox.base_url, "style": "bailian", "model": ""}
    (config / "profiles.json").write_text(json.dumps({"profiles": [profile],
                                                      "active": "Saved"}))
    (config / "keys.json").write_text(json.dumps({"Saved": "test-key"}))
    report, _ = _launch(tmp_path, [])
    assert report["keyring_at_paint"] is False
    assert report["status_at_paint"] == "● Saved"
    assert report["editor_at_paint"] is True
    assert report["status_when_ready"] == "● Saved"
    assert report["result"] and all(Path(p).is_file() for p in report["result"])


def test_demo_launch_paints_first_then_edits_and_exits_cleanly(tmp_path, qapp):
    report, _ = _launch(tmp_path, ["--demo"])
    # The first frame came before the asyncio machinery was loaded.
    assert report["asyncio_at_paint"] is False
    assert report["qasync_at_paint"] is False
    assert report["log_handlers_at_paint"] is False
    # ... and a record logged before it reached the log file once that was set up.
    assert report["early_record_logged"] is True
    assert report["dataclass_code_cache"] is True
    assert report["sources_read"] == []
    assert report["stdlib_read"] == []
    # It showed the editor (not the first-run welcome panel) while the demo started.
    assert report["editor_at_paint"] is True
    assert "demo" in report["status_at_paint"].lower()
    assert report["status_when_ready"] == "● Demo sandbox"
    # Then the window worked as usual: the edit ran and its result is on disk.
    assert report["job"] is True
    assert report["result"] and all(Path(p).is_file() for p in report["result"])
    assert report["batch_built"] is True  # the held post-paint build ran once the loop did
    assert report["model_list_filled"] is True
    assert report["versions_built"] is True
    assert report["history_rows"] >= 1
    assert report["history_list_shown"] is True
    # Nothing of this was built for the first frame, and each works when first used.
    assert report["built_for_first_frame"] == []
    assert report["gc_in_first_frame"] is False  # the collector takes over once the loop runs
    assert report["banner_icon"] is True
    assert report["too_long_icon"] is True
    assert report["gui_threadpool_off"] is True
    assert report["hidden_parts_built"] is True
    assert report["mask_bar_shown"] is True and report["mask_tool"] == "brush"
    assert report["refrozen"] is True
    if sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
        # Image buffers come from fresh mmap pages (no GIL-held zeroing: core/allocator.py).
        assert report["allocator_fixed"] is True
