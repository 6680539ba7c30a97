"""The code each process of benchmarks/history_scale.py runs (`python -c CHILD T0 MODE TREE
...`): opens the window over the library (or Qt's plain table, MODE "bare"), flings or
scrolls it, and prints its figures as JSON. A string, so that the baseline tree is measured
by the same code as this tree.
"""

CHILD = r"""
import os, sys, time, json
T0 = float(sys.argv[1]); MODE = sys.argv[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
sys.path.insert(0, sys.argv[3])
import asyncio
import qasync
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
app = QApplication([])
app.setQuitOnLastWindowClosed(False)
# Garbage collection as the app runs it (app/launch.py): no automatic passes in whatever
# thread allocates, a timer on the GUI thread instead (young generations each second, a
# full pass each minute).
import gc
try:
    from qwen_studio.ui.main_thread_gc import MainThreadCollector
    gc.freeze()
    MainThreadCollector(app).start()
except ImportError:
    pass
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
from qwen_studio.app import create_main_window
out = {}
class FirstPaint(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "paint" not in out:
            out["paint"] = time.time() - T0
        return False

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def pending(m):
    # This tree's ThumbnailCache, or the model before it (a set of paths in flight).
    cache = getattr(m, "thumbnails", None)
    return cache.pending if cache is not None else len(m._thumb_pending)

stalls = []  # (wall, GUI thread CPU) of each gap between heartbeats

async def heartbeat():
    # The GUI thread's longest gaps: anything that blocks it (a page laid out, a paint,
    # a decode on the wrong thread) shows as a late wake-up. On a shared machine the thread
    # is also late when the OS runs something else: a gap in which the thread itself was
    # busy (its CPU time) is the part this process caused.
    last, last_cpu = time.perf_counter(), time.thread_time()
    while True:
        await asyncio.sleep(0.005)
        now, cpu = time.perf_counter(), time.thread_time()
        stalls.append((now - last - 0.005, cpu - last_cpu))
        last, last_cpu = now, cpu

def threads_cpu():
    # CPU seconds of each thread of this process, by name (where the non-GUI work goes).
    out, tick = {}, os.sysconf("SC_CLK_TCK")
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[f"{name}/{tid}"] = (int(fields[11]) + int(fields[12])) / tick
    return out

def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0

async def frames(lv, step, until, fps=60):
    # Move the list `step` pixels a frame, `fps` frames a second (paced by the clock, as a
    # display is), painting each frame, until until() says so. Returns the frames shown.
    bar, n = lv.verticalScrollBar(), 0
    due = time.perf_counter()
    while not until():
        was = bar.value()
        bar.setValue(was + step)
        if bar.value() != was:  # at the end of what is loaded nothing moves: no new frame
            lv.viewport().repaint()
            n += 1
        due += 1 / fps
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
    return n

async def settle(limit=10.0):
    # What the window does once after its first frame (the status bar's spend summary over
    # the library, prices, the HTTP client's warm-up: ~0.2-0.3 s in the pool) is start-up,
    # not the fling's: it ends before the fling starts, as for a user who opens the window
    # and then scrolls. Idle: under 5% of a core over a quarter second. HISTORY_SETTLE=0
    # measures from 0.2 s after the first page instead (until #18's fourth round).
    t0 = time.perf_counter()
    while os.environ.get("HISTORY_SETTLE", "1") != "0" and time.perf_counter() - t0 < limit:
        cpu = time.process_time()
        await asyncio.sleep(0.25)
        if time.process_time() - cpu < 0.0125:
            break
    out["settle_s"] = time.perf_counter() - t0

async def measure(name, run, m=None):
    # CPU of the whole process (GUI thread and pool), the GUI thread's own, wall time and
    # stalls of one phase, which ends when the thumbnails it asked for have arrived.
    beat = asyncio.ensure_future(heartbeat())
    stalls[:] = []
    t, cpu, gui = time.perf_counter(), time.process_time(), time.thread_time()
    per_thread = threads_cpu()
    prof = None
    if os.environ.get("HISTORY_PROFILE") and name == "fling":
        import cProfile
        prof = cProfile.Profile(time.thread_time); prof.enable()  # the GUI thread's CPU
    n = await run()
    while m is not None and pending(m):
        await asyncio.sleep(0.01)
    if prof is not None:
        prof.disable(); prof.dump_stats(os.environ["HISTORY_PROFILE"])
    beat.cancel()
    after = threads_cpu()
    busy = sorted(((after[k] - per_thread.get(k, 0.0), k) for k in after), reverse=True)
    out[name + "_threads"] = [(k, round(v, 2)) for v, k in busy[:4]]
    out[name] = {"frames": n, "wall_s": time.perf_counter() - t,
                 "cpu_s": time.process_time() - cpu, "gui_s": time.thread_time() - gui,
                 "max_stall_ms": max((w for w, _ in stalls), default=0) * 1000,
                 "stalls_over_50ms": sum(w > 0.05 for w, _ in stalls),
                 "max_busy_ms": max((c for _, c in stalls), default=0) * 1000,
                 "busy_over_50ms": sum(c > 0.05 for _, c in stalls)}

def fling_to_oldest(lv, m):
    # Newest to oldest a screenful a frame (a fast trackpad fling, or the scroll bar dragged
    # down): at the end of what is loaded the view itself asks the model for the next page
    # (QAbstractItemView does when the bar reaches its maximum), and the fling waits for it.
    bar = lv.verticalScrollBar()
    state = {"top": -1, "still": 0}

    def at_oldest():
        if not m.fully_loaded() or bar.value() < bar.maximum():
            return False
        # The view lays rows out over a turn or two of the loop: the end is the end once
        # the range stops growing.
        state["still"] = state["still"] + 1 if bar.maximum() == state["top"] else 0
        state["top"] = bar.maximum()
        return state["still"] >= 3

    return lambda: frames(lv, lv.viewport().height(), at_oldest)

def slow_scroll(lv, m, rows):
    # A wheel turned steadily: three 24 px steps a notch, a notch a frame, over `rows` rows
    # (pages load on the way, as the fling's do).
    bar = lv.verticalScrollBar()
    end = rows * lv.rowHeight(0)
    return lambda: frames(lv, 72, lambda: bar.value() >= end or (
        m.fully_loaded() and bar.value() >= bar.maximum()))

async def main():
    if MODE == "bare":
        # The floor: Qt's own table of 10,000 plain text rows of the same height, flung
        # the same way. What painting a screenful costs before any of our code runs.
        from PySide6.QtGui import QStandardItem, QStandardItemModel
        from PySide6.QtWidgets import QAbstractItemView, QTableView
        n = int(sys.argv[4])
        model = QStandardItemModel()
        for i in range(n):
            model.appendRow(QStandardItem(f"prompt text of edit #{n - i}, newest first"))
        lv = QTableView()
        lv.horizontalHeader().hide(); lv.verticalHeader().hide()
        lv.horizontalHeader().setStretchLastSection(True)
        lv.verticalHeader().setDefaultSectionSize(int(sys.argv[5]))
        lv.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        lv.setModel(model)
        lv.resize(int(sys.argv[6]), int(sys.argv[7])); lv.show()
        await asyncio.sleep(0.2)
        bar = lv.verticalScrollBar()
        await measure("fling", lambda: frames(lv, lv.viewport().height(),
                                              lambda: bar.value() >= bar.maximum()))
        out["rows"] = model.rowCount(); out["peak_mb"] = peak_mb()
        return
    w = create_main_window()
    f = FirstPaint(); w.installEventFilter(f)
    w.resize(1400, 900); w.show()
    while "paint" not in out:
        await asyncio.sleep(0.005)
    if MODE in ("scroll", "slow"):
        m, lv = w.history_model, w.history_list
        while m.rowCount() == 0 or m.is_loading():
            await asyncio.sleep(0.01)  # the first page, as the window opens
        await settle()
        await asyncio.sleep(0.2)
        out["viewport"] = [lv.viewport().width(), lv.viewport().height(), lv.rowHeight(0)]
        if MODE == "scroll":
            await measure("fling", fling_to_oldest(lv, m), m)
        else:
            await measure("slow", slow_scroll(lv, m, int(sys.argv[4])), m)
        out["rows"] = m.rowCount()
        c0 = time.thread_time()
        gc.collect()  # the app's once-a-minute full pass, with every row listed
        out["full_gc_ms"] = (time.thread_time() - c0) * 1000
        out["thumbs_cached"] = m.cached_thumbnails()
        out["rss_mb"] = rss_mb()
        out["peak_mb"] = peak_mb()
    w.close()
    await w.shutdown()

try:
    loop.run_until_complete(main())
finally:
    loop.close()  # closes its default executor too: nothing left running at exit
print(json.dumps(out))
"""
