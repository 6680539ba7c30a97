"""Which image calls made in a pool thread stall the GUI thread (i.e. hold the GIL)?

A 5 ms PreciseTimer heartbeat runs under a Qt event loop on the main thread while ONE pool
thread runs one image operation on a 24 MP photo (6000×4000, Display P3 JPEG). The stall
of a tick is its interval minus 5 ms; per operation the script prints the worst stall and
p99 over --rounds runs, and the ratio to the baseline measured in the same run: the same
heartbeat while the pool thread sleeps. A call that releases the GIL stalls the heartbeat
about as much as the baseline does; one that holds it stalls it for its whole duration.

    PYTHONPATH=. python benchmarks/pool_gil.py [--rounds 3] [--only NAME ...]

--app KINDS runs the window's own pool jobs instead (decode_input, decode_image,
prepare_image, the library's small thumbnail) on two photos of each kind at once, as the
pool's two workers do, beside a control: two threads of GIL-free CPU work (sha256).

    PYTHONPATH=. python benchmarks/pool_gil.py --app all [--rounds 3]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import make_set_photos

TICK_MS = 5
ISOLATE = False  # --isolate: one job at a time in a real-time thread (below the probe)


def operations(photo: Path, tiff16: Path | None) -> dict[str, Callable[[], Any]]:
    from PIL import Image, ImageCms
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColorSpace, QImage, QImageReader

    from qwen_studio.core import colour
    from qwen_studio.ui import image_loading as il

    def qt_read() -> QImage:
        r = QImageReader(str(photo))
        return r.read()

    decoded = qt_read()
    srgb = QColorSpace(QColorSpace.NamedColorSpace.SRgb)
    rgbx = decoded.convertToFormat(QImage.Format.Format_RGBX8888)
    flipped = decoded.mirrored(True, False)  # the other half of a 24 MP Changes pair
    pil = Image.open(photo)
    pil.load()
    icc = pil.info["icc_profile"]
    transform = colour.srgb_transform(icc, "RGB")
    assert transform is not None
    pil_bytes = pil.tobytes("raw", "BGRX")
    ops: dict[str, Callable[[], Any]] = {
        "idle (baseline)": lambda: time.sleep(0.4),
        "python busy loop 0.2 s": lambda: _busy(0.2),
        "qt QImageReader.read": qt_read,
        "qt convertedToColorSpace": lambda: decoded.convertedToColorSpace(srgb),
        "qt scaled 1/2 smooth": lambda: decoded.scaled(
            3000, 2000, Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation),
        "qt copy": lambda: decoded.copy(),
        "qt convertToFormat RGBX8888": lambda: decoded.convertToFormat(
            QImage.Format.Format_RGBX8888),
        "qt mirrored (exif flip)": lambda: decoded.mirrored(True, False),
        "qt bits -> bytes": lambda: bytes(rgbx.constBits()),  # type: ignore[call-overload]
        "pil open+load": lambda: Image.open(photo).load(),
        "pil ImageCms transform in place": lambda: ImageCms.applyTransform(
            pil, transform, inPlace=True),
        "pil tobytes BGRX": lambda: pil.tobytes("raw", "BGRX"),
        "pil frombuffer BGRX -> RGB": lambda: Image.frombuffer(
            "RGB", pil.size, pil_bytes, "raw", "BGRX", 0, 1).load(),
        "pil resize 1/2 lanczos": lambda: pil.resize(
            (3000, 2000), Image.Resampling.LANCZOS, reducing_gap=3.0),
        "pil reduce 2": lambda: pil.reduce(2),
        "pil transpose 90": lambda: pil.transpose(Image.Transpose.ROTATE_90),
        "QImage(bytes) wrap": lambda: QImage(pil_bytes, pil.width, pil.height, pil.width * 4,
                                             QImage.Format.Format_RGB32),
        "app: decode_image (window, full size)": lambda: il.decode_image(photo, 8192),
        "app: decode_image (thumbnail 256)": lambda: il.decode_image(photo, 256),
        "app: pipeline.make_thumbnail 256": lambda: _pipeline().make_thumbnail(photo, 256),
        "app: pipeline.prepare_image": lambda: _pipeline().prepare_image(photo),
        # A 24 MP bitmap pasted from another app (ui/editor/inputs.py), written as an input.
        "qt QImage.save PNG (old paste)": lambda: il.encode_png(decoded),
        "app: save_clipboard_image (Pillow PNG)": lambda: il.save_clipboard_image(
            decoded, Path(tempfile.gettempdir()) / "qwen-studio-bench-pasted"),
        "qt QSettings set+sync (PySide6's sync)": _settings_write,
        "app: QSettings set+sync (settings_sync, window settings)": lambda: _settings_write(
            gil_free=True),
        "app: changes heatmap 24 MP pair": lambda: _changes(decoded, flipped),
    }
    if tiff16 is not None:
        ops["pil open+load 16-bit TIFF"] = lambda: Image.open(tiff16).load()
        ops["qt QImageReader.read 16-bit TIFF"] = lambda: QImageReader(str(tiff16)).read()
        ops["app: decode_image 16-bit TIFF"] = lambda: il.decode_image(tiff16, 8192)
    return ops


APP_KINDS = ("srgb24", "p3-24", "adobe24", "prophoto16", "adobe100")


def _sha_work(seconds: float) -> None:
    """GIL-free CPU work (hashlib releases the GIL for the whole digest): the control."""
    import hashlib

    block = bytes(8 << 20)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        hashlib.sha256(block).digest()


def app_operations(kinds: list[str]) -> dict[str, tuple[Callable[[], Any], ...]]:
    """The window's own pool jobs on two photos of each kind at once (the pool's two
    workers): what adding an input, sending it and showing it cost the GUI thread."""
    from qwen_studio.core import library_thumbs, pipeline
    from qwen_studio.ui import image_loading as il

    folder = Path(tempfile.gettempdir()) / "qwen-studio-bench-photos"
    ops: dict[str, tuple[Callable[[], Any], ...]] = {
        "control: 2 threads GIL-free 0.6 s": (lambda: _sha_work(0.6),) * 2}
    for kind in kinds:
        a, b = make_set_photos(kind, 2, folder)
        ops[f"{kind} decode_input (check + 256 px)"] = (
            lambda a=a: il.decode_input(a, 256), lambda b=b: il.decode_input(b, 256))
        ops[f"{kind} decode_image (window, 8192)"] = (
            lambda a=a: il.decode_image(a, 8192), lambda b=b: il.decode_image(b, 8192))
        ops[f"{kind} prepare_image (upload)"] = (
            lambda a=a: pipeline.prepare_image(a), lambda b=b: pipeline.prepare_image(b))
        ops[f"{kind} library make_small (56 px)"] = (
            lambda a=a: library_thumbs.make_small(a), lambda b=b: library_thumbs.make_small(b))
    return ops


def main_app(kinds: list[str], rounds: int, only: list[str] | None) -> None:
    ops = app_operations(kinds)
    names = [n for n in ops if n.startswith("control") or not only
             or any(s in n for s in only)]
    if ISOLATE:
        ops = {n: fns[:1] for n, fns in ops.items()}
    how = "one at a time, real-time" if ISOLATE else "two at a time"
    print(f"app pool jobs, {how}; heartbeat {TICK_MS} ms; {rounds} rounds; "
          "worst stall / p99 of the ticks while they run")
    results: dict[str, list[tuple[float, float, float, float]]] = {}
    realtime = False
    for _r in range(rounds):
        for name in names:  # interleaved, so machine noise hits every job alike
            print(f"  {name}...", file=sys.stderr, flush=True)
            with GilProbe() as probe:
                stalls, took = measure(*ops[name])
            worst, p99 = max(stalls), sorted(stalls)[int(0.99 * (len(stalls) - 1))]
            results.setdefault(name, []).append((worst, p99, took, probe.worst()))
            realtime = probe.realtime
    print(f"GIL probe: {'real-time thread' if realtime else 'NOT real-time (no privilege)'}"
          "; 'gil' = its worst lateness (the longest GIL hold), 'stall' = the Qt heartbeat's")
    print(f"{'jobs':<42} {'stall ms per round':>19} {'gil ms per round':>19} {'p99':>6} "
          f"{'time':>6}")
    for name, rs in results.items():
        worsts = " ".join(f"{r[0]:5.0f}" for r in rs)
        gils = " ".join(f"{r[3]:5.0f}" for r in rs)
        print(f"{name:<42} {worsts:>19} {gils:>19} {max(r[1] for r in rs):5.1f} "
              f"{max(r[2] for r in rs) * 1000:5.0f}ms")


def _changes(before: Any, after: Any) -> Any:
    """The Changes mode's heatmap of a 24 MP pair (ui/compare/changes_mode.py), in the pool."""
    from qwen_studio.ui.compare.changes_mode import compute_changes

    return compute_changes(before, after)


def _settings_write(gil_free: bool = False) -> None:
    """What WindowSettings' save in the pool does: a second QSettings on the window's file,
    ~10 values (geometry and splitter blobs among them), then sync() writes the file
    (gil_free: as the window does it, qt/settings_sync.py; else PySide6's own sync())."""
    from PySide6.QtCore import QByteArray, QSettings

    from qwen_studio.qt.settings_sync import sync_without_gil

    path = Path(tempfile.gettempdir()) / "qwen-studio-bench-settings.ini"
    s = QSettings(str(path), QSettings.Format.IniFormat)
    for i in range(8):
        s.setValue(f"params/k{i}", f"value {i} {time.perf_counter()}")
    s.setValue("window/geometry", QByteArray(os.urandom(66)))
    s.setValue("window/splitter", QByteArray(os.urandom(120)))
    if gil_free:
        sync_without_gil(s)
    else:
        s.sync()


def _pipeline() -> Any:
    from qwen_studio.core import pipeline

    return pipeline


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1


class GilProbe:
    """A real-time (SCHED_FIFO) thread that sleeps 2 ms at a time and records how late it
    gets the GIL back. The kernel runs it the moment its timer fires, however loaded the
    machine is, so its lateness is the GIL alone: the longest hold of any other thread
    (plus up to the 5 ms switch interval when a thread runs Python code). Without the
    privilege (not root) it runs at normal priority and says so."""

    def __init__(self) -> None:
        self.late_ms: list[float] = []
        self.realtime = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(2))  # this thread
            self.realtime = True
        except (OSError, AttributeError):
            pass
        while not self._stop.is_set():
            t = time.perf_counter()
            time.sleep(0.002)
            self.late_ms.append(max(0.0, (time.perf_counter() - t) * 1000 - 2))

    def __enter__(self) -> GilProbe:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def worst(self) -> float:
        return max(self.late_ms, default=0.0)


def measure(op: Callable[[], Any], *more: Callable[[], Any]) -> tuple[list[float], float]:
    """Run `op` (and `more`, each in its own thread, side by side as the app's pool runs
    two jobs) under the heartbeat: (stalls in ms, seconds of the slowest)."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from qwen_studio.ui.image_loading import _lower_priority

    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    ops = (op, *more)
    left = [len(ops)]
    lock = threading.Lock()
    done = threading.Event()
    took = [0.0]
    failed: list[BaseException] = []

    def work(fn: Callable[[], Any]) -> None:
        if ISOLATE:  # never preempted by other processes: holds are the job's own
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
        else:
            _lower_priority()  # as the app's pool threads run
        time.sleep(0.03)  # let the heartbeat settle first
        t = time.perf_counter()
        try:
            result = fn()
            del result  # freed here, in the pool thread, as the app does
            took[0] = max(took[0], time.perf_counter() - t)
        except BaseException as exc:  # reported, and the heartbeat loop still ends
            failed.append(exc)
        finally:
            with lock:
                left[0] -= 1
                if not left[0]:
                    done.set()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if done.is_set() else None)
    timer.start()
    poll.start()
    ticks.append(time.perf_counter())
    threads = [threading.Thread(target=work, args=(fn,)) for fn in ops]
    for th in threads:
        th.start()
    loop.exec()
    for th in threads:
        th.join()
    timer.stop()
    poll.stop()
    if failed:
        raise failed[0]
    return [max(0.0, (b - a) * 1000 - TICK_MS) for a, b in itertools.pairwise(ticks)], \
        took[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None, help="substrings of operation names")
    ap.add_argument("--no-tiff", action="store_true")
    ap.add_argument("--app", default=None, metavar="KINDS",
                    help="instead: the app's pool jobs on these photo kinds, two at a time "
                         f"(comma-separated, of {','.join(APP_KINDS)}; 'all' for every one)")
    ap.add_argument("--isolate", action="store_true",
                    help="with --app: one photo at a time, in a SCHED_FIFO thread (root), so "
                         "the probe's lateness is the job's own longest GIL hold, without "
                         "the preemption a loaded machine adds (uses one core while it runs)")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from qwen_studio.core.allocator import use_mmap_for_large_blocks

    use_mmap_for_large_blocks()  # as the window runs
    if args.isolate:
        global ISOLATE
        ISOLATE = True
    if args.app:
        kinds: list[str] = list(APP_KINDS) if args.app == "all" else args.app.split(",")
        main_app(kinds, args.rounds, args.only)
        return
    folder = Path(tempfile.gettempdir()) / "qwen-studio-bench-photos"
    photo = make_set_photos("p3-24", 1, folder)[0]
    tiff = None if args.no_tiff else make_set_photos("prophoto16", 1, folder)[0]
    ops = operations(photo, tiff)
    base = ops.pop("idle (baseline)")
    names = [n for n in ops if not args.only or any(s in n for s in args.only)]
    print(f"photo: {photo.name} (6000×4000 Display P3 JPEG); heartbeat {TICK_MS} ms; "
          f"{args.rounds} rounds; worst stall / p99 of the ticks while the op runs")
    _ = app
    results: dict[str, tuple[float, float, float]] = {}
    rounds = [("idle (baseline)", base)] + [(n, ops[n]) for n in names]
    for _r in range(args.rounds):
        for name, op in rounds:  # interleaved, so machine noise hits every op alike
            print(f"  {name}...", file=sys.stderr, flush=True)
            stalls, took = measure(op)
            worst, p99 = max(stalls), sorted(stalls)[int(0.99 * (len(stalls) - 1))]
            prev = results.get(name, (0.0, 0.0, 0.0))
            results[name] = (max(prev[0], worst), max(prev[1], p99), max(prev[2], took))
    idle_worst = max(results["idle (baseline)"][0], 0.1)
    print(f"{'operation':<42} {'worst':>8} {'p99':>7} {'x idle':>7} {'op time':>8}")
    for name, (worst, p99, took) in results.items():
        print(f"{name:<42} {worst:6.1f}ms {p99:5.1f}ms {worst / idle_worst:6.1f}x "
              f"{took * 1000:6.0f}ms")


if __name__ == "__main__":
    main()
