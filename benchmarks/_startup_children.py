"""The child programs benchmarks/startup.py launches, as source text (see its docstring for
what each kind measures): kept as text so a child imports nothing the app would not.

BARE/QT/FLOOR/WIDGETS are plain PySide6 windows; STUDIO goes through Qwen Studio's real
entry point and watches the window for its first paint; PHASES does the same with CPU-time
marks at the start-up steps. Every child prints one "BENCH paint frame cpu" (or "PHASES
[...]") line.
"""

from __future__ import annotations

BARE = r"""
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
T0 = float(os.environ["BENCH_T0"])
app = QApplication(sys.argv[:1])
win = QMainWindow()
win.setWindowTitle("bare")
win.setCentralWidget(QLabel("Hello"))
win.resize(1400, 900)

class Watch(QObject):
    done = False
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and obj is win and not self.done:
            self.done = True
            paint = time.monotonic() - T0
            cpu = time.process_time()
            def frame():
                print(f"BENCH {paint:.6f} {time.monotonic() - T0:.6f} {cpu:.6f}", flush=True)
                win.close()
            QTimer.singleShot(0, frame)
        return False

w = Watch()
win.installEventFilter(w)
win.show()
sys.exit(app.exec())
"""

STUDIO = r"""
import os, sys, time
T0 = float(os.environ["BENCH_T0"])
import qwen_studio.__main__ as entry


def register_with_pyside():
    # What main() does between _import_before_qt() and importing the window: _import_qt()
    # (PySide's support code kept, qt/support_code.py), else as older trees did (one from
    # before qt/feature_scan.py has no such step).
    if hasattr(entry, "_import_qt"):
        entry._import_qt()
        return
    try:
        from qwen_studio.qt import feature_scan
    except ImportError:
        return
    feature_scan.register_modules()


def watch_window():
    # Imported only where main() would import them: the entry point loads its Qt-free
    # modules before PySide6 (see _import_before_qt), and this must not change that order.
    import qwen_studio.app.launch as app_mod  # main() calls create_main_window from here
    from PySide6.QtCore import QEvent, QObject, QTimer

    orig = app_mod.create_main_window

    class Watch(QObject):
        def __init__(self, win):
            super().__init__(win)
            self.win, self.done = win, False
        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Paint and obj is self.win and not self.done:
                self.done = True
                paint = time.monotonic() - T0
                cpu = time.process_time()
                def frame():
                    print(f"BENCH {paint:.6f} {time.monotonic() - T0:.6f} {cpu:.6f}", flush=True)
                    self.win.close()
                QTimer.singleShot(0, frame)
            return False

    def create(*a, **kw):
        win = orig(*a, **kw)
        win.installEventFilter(Watch(win))
        return win

    app_mod.create_main_window = create


before_qt = entry._import_before_qt  # called by main() just before it imports qwen_studio.app
def import_before_qt():
    before_qt()
    register_with_pyside()
    watch_window()
entry._import_before_qt = import_before_qt
sys.exit(entry.main(sys.argv[1:]))
"""

# --phases: one configured launch with CPU-time marks at the start-up steps (the profile
# kind's path), to say where the time goes. The hooks wrap functions by name only.
PHASES = r"""
import os, sys, time
P = [("start", time.process_time())]
def mark(name):
    P.append((name, time.process_time()))
import qwen_studio.__main__ as entry


def register_with_pyside():
    # What main() does between _import_before_qt() and importing the window: _import_qt()
    # (PySide's support code kept, qt/support_code.py), else as older trees did (one from
    # before qt/feature_scan.py has no such step).
    if hasattr(entry, "_import_qt"):
        entry._import_qt()
        return
    try:
        from qwen_studio.qt import feature_scan
    except ImportError:
        return
    feature_scan.register_modules()


def hooks():
    import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets  # what app.launch imports first
    mark("PySide6 (QtCore, QtGui, QtWidgets)")
    import qwen_studio.app.launch as app_mod
    import qwen_studio.app.window as win_mod
    import qwen_studio.ui.main_window as mw
    from PySide6.QtCore import QEvent, QObject, QTimer
    mark("the window's modules (and the Qt enums they use)")

    def wrap(owner, name, before, after):
        orig = getattr(owner, name)
        def run(*a, **kw):
            if before:
                mark(before)
            out = orig(*a, **kw)
            mark(after)
            return out
        setattr(owner, name, run)

    wrap(win_mod, "build_services", "QApplication, translations, app icon", "services")
    wrap(mw.MainWindow, "_build_ui", "window: models before the widgets", "window: widgets")
    wrap(win_mod.theme, "apply_theme", "window: controllers, menus, wiring", "style sheet")
    orig_create = app_mod.create_main_window

    class Watch(QObject):
        def __init__(self, win):
            super().__init__(win)
            self.win, self.done = win, False
        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Paint and obj is self.win and not self.done:
                self.done = True
                mark("show, layout, paint of the window")
                def frame():
                    mark("paint of the children (whole frame)")
                    print("PHASES " + repr(P), flush=True)
                    self.win.close()
                QTimer.singleShot(0, frame)
            return False

    def create(*a, **kw):
        win = orig_create(*a, **kw)
        mark("rest of create_main_window (profile, timers)")
        win.installEventFilter(Watch(win))
        return win

    app_mod.create_main_window = create


before_qt = entry._import_before_qt
def import_before_qt():
    mark("entry point, argument parsing")
    before_qt()
    mark("Qt-free imports, library opening")
    register_with_pyside()
    hooks()
entry._import_before_qt = import_before_qt
sys.exit(entry.main(sys.argv[1:]))
"""

# The bare window plus the Qt namespace (see "qt" above).
QT = BARE.replace("QEvent, QObject, QTimer", "QEvent, QObject, QTimer, Qt")
assert QT != BARE
# ... plus a qasync loop (see "floor" above).
FLOOR = (QT
          .replace("import os, sys, time", "import os, sys, time, asyncio\nimport qasync")
          .replace("sys.exit(app.exec())",
                   "loop = qasync.QEventLoop(app)\nasyncio.set_event_loop(loop)\n"
                   "with loop:\n    loop.run_forever()"))
assert FLOOR.count("qasync") == 2  # every replacement applied
# ... with a window of the editor's size instead of one label (information, not the goal's
# floor): three panes in a splitter, a form of inputs, a prompt box, a list, a menu bar and
# a status bar, under an application style sheet. What Qt and PySide charge any window
# this size (widget types, fonts, polish, paint), so `studio/widgets` is roughly our own.
WINDOW = r"""
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLineEdit, QListView,
    QPlainTextEdit, QPushButton, QSpinBox, QSplitter, QToolButton, QVBoxLayout, QWidget)

def pane(*widgets):
    w = QWidget()
    lay = QVBoxLayout(w)
    for child in widgets:
        lay.addWidget(child)
    return w

form = QWidget()
rows = QFormLayout(form)
for label in ("Model", "Size"):
    box = QComboBox()
    box.addItems([f"{label} {i}" for i in range(12)])
    rows.addRow(label, box)
for label in ("Count", "Seed"):
    rows.addRow(label, QSpinBox())
for label in ("Watermark", "Prompt extend"):
    rows.addRow("", QCheckBox(label))
prompt = QPlainTextEdit()
prompt.setPlaceholderText("What should change?")
split = QSplitter()
split.addWidget(pane(QLabel("Inputs"), prompt, form, QPushButton("Run"), QPushButton("Cancel")))
split.addWidget(pane(*[QToolButton(text=t) for t in ("Fit", "100%", "Brush", "Eraser")],
                     QLabel("Nothing to compare yet")))
split.addWidget(pane(QLineEdit(), QPushButton("Starred"), QPushButton("Failed"), QListView()))
win.setCentralWidget(split)
for title in ("File", "Edit", "View", "Help"):
    menu = win.menuBar().addMenu(title)
    for i in range(6):
        menu.addAction(f"{title} action {i}")
for text in ("Idle", "connected", "Today $0.00"):
    win.statusBar().addPermanentWidget(QLabel(text))
app.setStyleSheet("\n".join(
    f"{kind} {{ background: #262626; color: #e6e6e6; border: 1px solid #444; "
    f"border-radius: 4px; padding: 2px 6px; }} {kind}:hover {{ background: #333; }} "
    f"{kind}:disabled {{ color: #777; }} {kind}:focus {{ border-color: #6fa8dc; }}"
    for kind in ("QWidget", "QPushButton", "QToolButton", "QComboBox", "QSpinBox",
                 "QLineEdit", "QPlainTextEdit", "QListView", "QCheckBox", "QLabel",
                 "QMenuBar", "QMenu", "QStatusBar", "QSplitter::handle")))
"""
WIDGETS = FLOOR.replace('win.setCentralWidget(QLabel("Hello"))\n', WINDOW)
assert WIDGETS != FLOOR
# ... the floor with the two start-up caches of our entry point that spare work any PySide
# app repeats at every start (see "floor+caches"): re's compiles served from
# core/regex_code.py from the first line to the first frame (as __main__.main and
# app.launch.main do), and the first import of PySide6 (here inside qasync's, as in the
# floor) under qt/support_code.serving() (as __main__._import_qt). After the frame each
# launch saves what it compiled anew, as the app does: only the warm-up launch writes.
FLOOR_CACHES = (FLOOR
                .replace("import os, sys, time, asyncio\nimport qasync",
                         "import os, sys, time\n"
                         "from qwen_studio.core import regex_code\n"
                         "regex_code.install()\n"
                         "import asyncio\n"
                         "from qwen_studio.qt import support_code\n"
                         "with support_code.serving():\n"
                         "    import qasync  # imports PySide6\n")
                .replace("                win.close()\n",
                         "                regex_code.uninstall()\n"
                         "                support_code.save()\n"
                         "                regex_code.save()\n"
                         "                win.close()\n"))
assert FLOOR_CACHES.count("regex_code.") == 3 and "serving()" in FLOOR_CACHES
