"""Start-up: launch to first paint of the Qwen Studio window vs a bare PySide6 window.

Every launch is a fresh process (offscreen platform, empty QWEN_STUDIO_HOME). The clock
starts in the parent just before Popen (CLOCK_MONOTONIC is system-wide, so the child can
subtract it) and stops at the first QEvent.Paint the main window receives; "frame" is a
zero timer after that paint, i.e. the whole first frame including children. Figures:

* bare   : QApplication + QMainWindow with a QLabel, nothing else (the floor).
* qt     : the bare window plus the `Qt` namespace, which any real window uses (PySide6
           builds ~95 Python enums on first use of it, ~25 ms).
* floor  : the `qt` window plus asyncio + qasync driving the event loop, imported before the
           paint as a qasync application usually does. Nothing of Qwen Studio.
* widgets: the floor with an editor-sized window of plain Qt widgets (three panes, a form,
           a prompt box, a list, menus, status bar, an application style sheet) instead of
           one label: not the goal's floor, a yardstick for what Qt and PySide charge any
           window of that size, so `studio/widgets` is roughly the cost of our own code.
* studio : `qwen-studio` as a user starts it the first time (welcome panel, no profile).
* profile: `qwen-studio` with a configured profile (the editor), in a fresh home as every
           kind here: the library file is created, the window opens maximised.
* everyday: the same start in a home used before (its warm-up launch made it): the library
           exists, the window's size and panels are remembered. Not in the goal; printed
           to show what a fresh home adds to `profile`.
* demo   : `qwen-studio --demo` (the in-process sandbox starts in the pool after the frame).
* saved  : a profile saved in Settings (profiles.json) with its key in the key store, as a
           user's everyday start reads it (`profile` takes it from the environment). With
           the null keyring here the key is in the private file, but finding that out
           imports keyring and looks for a backend (~50 ms) as with a real one. Not in the
           goal; printed because the goal's `profile` never touches the key store.

Qwen Studio paints before it imports asyncio and qasync (app.main runs Qt's own loop until
the first frame, then starts the qasync loop), so of the floor it pays the Qt namespace
before its first frame, not asyncio.

The studio launches go through the real entry point (`qwen_studio.__main__.main`); a hook
wraps `app.create_main_window` only to watch the window for its first paint, then closes it
(installed when main() imports the app module, so the import order is the real one).
Goal (issue 18): profile/floor and demo/floor <= 1.35.

    python benchmarks/startup.py [--runs 7] [--importtime] [--before ../other-checkout]
    python benchmarks/startup.py --phases 7 [--before ../other-checkout]   (CPU ms per step)
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Child programs: kept as source text so the child imports nothing the app would not.
_BARE = r"""
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

_STUDIO = r"""
import os, sys, time
T0 = float(os.environ["BENCH_T0"])
import qwen_studio.__main__ as entry


def register_with_pyside():
    # What main() does between _import_before_qt() and importing the window (a tree from
    # before qt/feature_scan.py has no such step).
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
_PHASES = r"""
import os, sys, time
P = [("start", time.process_time())]
def mark(name):
    P.append((name, time.process_time()))
import qwen_studio.__main__ as entry


def register_with_pyside():
    # What main() does between _import_before_qt() and importing the window (a tree from
    # before qt/feature_scan.py has no such step).
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
_QT = _BARE.replace("QEvent, QObject, QTimer", "QEvent, QObject, QTimer, Qt")
assert _QT != _BARE
# ... plus a qasync loop (see "floor" above).
_FLOOR = (_QT
          .replace("import os, sys, time", "import os, sys, time, asyncio\nimport qasync")
          .replace("sys.exit(app.exec())",
                   "loop = qasync.QEventLoop(app)\nasyncio.set_event_loop(loop)\n"
                   "with loop:\n    loop.run_forever()"))
assert _FLOOR.count("qasync") == 2  # every replacement applied
# ... with a window of the editor's size instead of one label (information, not the goal's
# floor): three panes in a splitter, a form of inputs, a prompt box, a list, a menu bar and
# a status bar, under an application style sheet. What Qt and PySide charge any window
# this size (widget types, fonts, polish, paint), so `studio/widgets` is roughly our own.
_WINDOW = r"""
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
_WIDGETS = _FLOOR.replace('win.setCentralWidget(QLabel("Hello"))\n', _WINDOW)
assert _WIDGETS != _FLOOR

KINDS = {"bare": (_BARE, []), "qt": (_QT, []), "floor": (_FLOOR, []), "widgets": (_WIDGETS, []),
         "studio": (_STUDIO, []), "everyday": (_STUDIO, []),
         "profile": (_STUDIO, []), "demo": (_STUDIO, ["--demo"]), "saved": (_STUDIO, []),
         "phases": (_PHASES, [])}
KINDS_STUDIO = 4  # the kinds from "studio" on are Qwen Studio's
# "profile": a configured start (endpoint and key from the environment; nothing is sent).
_PROFILE_ENV = {"QWEN_STUDIO_ENDPOINT": "http://127.0.0.1:9", "QWEN_STUDIO_API_KEY": "bench-key",
                "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}


def _save_profile(home: Path) -> None:
    """What Settings saves for a profile: config/profiles.json, and the key in the key
    store (the private keys.json, as with no usable keyring)."""
    import json

    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    profile = {"name": "Bench", "base_url": _PROFILE_ENV["QWEN_STUDIO_ENDPOINT"],
               "style": "bailian", "model": ""}
    (config / "profiles.json").write_text(json.dumps({"profiles": [profile],
                                                      "active": "Bench"}))
    (config / "keys.json").write_text(json.dumps({"Bench": _PROFILE_ENV["QWEN_STUDIO_API_KEY"]}))


def launch(kind: str, home: Path, pycache: Path, importtime: Path | None = None,
           before: Path | None = None) -> tuple[float, float, float]:
    """(paint, frame, CPU at paint) in ms. A kind ending in "@before" runs the same
    launch from the `before` tree (another checkout, e.g. `git worktree add … HEAD~3`)."""
    tree = REPO
    if kind.endswith("@before"):
        assert before is not None
        kind, tree = kind.removesuffix("@before"), before
    src, args = KINDS[kind]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QWEN_STUDIO_HOME=str(home),
               PYTHONPYCACHEPREFIX=str(pycache), PYTHONPATH=str(tree))
    # An installed app runs from compiled bytecode; this sandbox sets DONTWRITEBYTECODE, which
    # would recompile every module on every launch. Cache it outside the repo (warm-up fills it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for var in ("QWEN_STUDIO_ENDPOINT", "QWEN_STUDIO_API_KEY", "QWEN_STUDIO_STYLE",
                "QWEN_STUDIO_MODEL"):
        env.pop(var, None)
    if kind in ("profile", "phases", "everyday"):
        env.update(_PROFILE_ENV)
    if kind == "saved":
        _save_profile(home)
        env["PYTHON_KEYRING_BACKEND"] = _PROFILE_ENV["PYTHON_KEYRING_BACKEND"]
    cmd = [sys.executable]
    if importtime is not None:
        cmd += ["-X", "importtime"]
    cmd += ["-c", src, *args]
    t0 = time.monotonic()
    env["BENCH_T0"] = repr(t0)
    proc = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, timeout=60)
    if importtime is not None:
        importtime.write_text(proc.stderr)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH "):
            _, paint, frame, cpu = line.split()
            return float(paint) * 1000, float(frame) * 1000, float(cpu) * 1000
    raise RuntimeError(f"{kind}: no paint seen (exit {proc.returncode})\n{proc.stderr[-2000:]}")


def phases(home: Path, pycache: Path, tree: Path) -> list[tuple[str, float]]:
    """(step, CPU ms) of one configured launch of `tree` (see _PHASES)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QWEN_STUDIO_HOME=str(home),
               PYTHONPYCACHEPREFIX=str(pycache), PYTHONPATH=str(tree), **_PROFILE_ENV)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run([sys.executable, "-c", _PHASES], env=env, cwd=tree,
                          capture_output=True, text=True, timeout=60)
    for line in proc.stdout.splitlines():
        if line.startswith("PHASES "):
            marks = ast.literal_eval(line.removeprefix("PHASES "))
            return [(name, (t - t_prev) * 1000)
                    for (name, t), (_, t_prev) in zip(marks[1:], marks, strict=False)]
    raise RuntimeError(f"phases: no report (exit {proc.returncode})\n{proc.stderr[-2000:]}")


def print_phases(runs: int, before: Path | None) -> None:
    trees = [("this tree", REPO)] + ([("before", before)] if before is not None else [])
    table: dict[str, dict[str, list[float]]] = {label: {} for label, _ in trees}
    with tempfile.TemporaryDirectory() as tmp:
        pycache = Path(tmp) / "pycache"
        for r in range(runs + 1):  # the first round warms the disk and bytecode caches
            for label, tree in trees:
                steps = phases(Path(tmp) / f"{label}-{r}", pycache, tree)
                if r:
                    for name, ms in steps:
                        table[label].setdefault(name, []).append(ms)
    print(f"configured launch, CPU ms per start-up step (median of {runs}); load "
          f"{os.getloadavg()[0]:.1f}")
    names = list(table["this tree"])
    print(f"  {'step':<50}" + "".join(f"{label:>11}" for label, _ in trees))
    for name in names:
        cells = "".join(f"{statistics.median(table[label].get(name, [0.0])):11.1f}"
                        for label, _ in trees)
        print(f"  {name:<50}{cells}")
    totals = "".join(f"{sum(statistics.median(v) for v in table[label].values()):11.1f}"
                     for label, _ in trees)
    print(f"  {'total (to the whole first frame)':<50}{totals}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--importtime", action="store_true",
                    help="also write -X importtime logs of one studio launch to /tmp")
    ap.add_argument("--before", type=Path,
                    help="another checkout of the repo: also launch its profile and demo, "
                         "interleaved with this tree's, for before/after ratios in one run")
    ap.add_argument("--phases", type=int, metavar="RUNS",
                    help="instead: CPU time per start-up step of a configured launch")
    args = ap.parse_args()
    if args.phases:
        print_phases(args.phases, args.before)
        return
    kinds = [k for k in KINDS if k != "phases"]
    if args.before is not None:
        kinds += ["profile@before", "demo@before", "saved@before"]
    load_before = os.getloadavg()[0]
    results: dict[str, list[tuple[float, float, float]]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        pycache = Path(tmp) / "pycache"
        # Interleave kinds so machine noise hits all of them alike; one warm-up each (disk cache).
        for kind in kinds:
            launch(kind, Path(tmp) / f"warm-{kind}", pycache, before=args.before)
        for r in range(args.runs):
            for kind in kinds:
                # "everyday" starts again in the home its warm-up made (see KINDS).
                home = f"warm-{kind}" if kind == "everyday" else f"{kind}-{r}"
                results[kind].append(launch(kind, Path(tmp) / home, pycache,
                                            before=args.before))
        if args.importtime:
            out = Path("/tmp/qwen_studio_importtime.txt")
            launch("studio", Path(tmp) / "importtime", pycache, out)
            print(f"importtime log: {out}")

    def med(kind: str, i: int) -> float:
        return statistics.median(r[i] for r in results[kind])

    print(f"launch -> first paint, offscreen, median of {args.runs} fresh processes "
          f"(paint event / whole first frame / CPU time of the process at paint), ms; "
          f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    print("  (on a loaded machine the frame times swing with it; the CPU time at paint is "
          "the steadier figure)")
    for kind in kinds:
        runs = ", ".join(f"{r[1]:.0f}" for r in results[kind])
        print(f"  {kind:<14} {med(kind, 0):6.0f} / {med(kind, 1):6.0f} / {med(kind, 2):5.0f} cpu"
              f"   (frame runs: {runs})")
    def ratio(kind: str, base: str, i: int = 1) -> float:
        """Median over rounds of kind/base within the round: the launches of one round run
        back to back, so slow swings of the machine's speed (this host has them) cancel."""
        return statistics.median(a[i] / b[i] for a, b in zip(results[kind], results[base],
                                                               strict=True))

    print("ratios of whole frames, median over rounds of the ratio within each round:")
    print(f"  qt/bare {ratio('qt', 'bare'):.2f} (the Qt namespace); floor/bare "
          f"{ratio('floor', 'bare'):.2f} (Qt namespace + asyncio/qasync); widgets/floor "
          f"{ratio('widgets', 'floor'):.2f}, CPU at paint {ratio('widgets', 'floor', 2):.2f} "
          f"(an editor-sized window of plain widgets)")
    for kind in kinds[KINDS_STUDIO:]:
        print(f"  {kind}/floor {ratio(kind, 'floor'):.2f} (goal <= 1.35), CPU at paint "
              f"{ratio(kind, 'floor', 2):.2f}; {kind}/bare {ratio(kind, 'bare'):.2f}; "
              f"{kind}/qt {ratio(kind, 'qt'):.2f}; {kind}/widgets {ratio(kind, 'widgets'):.2f}"
              f" (CPU {ratio(kind, 'widgets', 2):.2f})")
    if args.before is not None:
        for kind in ("profile", "demo", "saved"):
            print(f"  {kind} after/before: frame {ratio(kind, kind + '@before'):.2f}, "
                  f"CPU at paint {ratio(kind, kind + '@before', 2):.2f}")


if __name__ == "__main__":
    main()
