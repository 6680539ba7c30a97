"""UI stalls: how long the event loop of the Qwen Studio window is blocked while it works.

The real window runs offscreen against a sandbox in its own process (so the fake service
does not compete for the GUI process's GIL). The script drives it like a user, once per
photo set: for each photo it clears the inputs, adds the photo with `window.add_inputs`,
types a prompt and clicks Run; the edits then run side by side. A 5 ms QTimer heartbeat
records every tick from the first submit until all of the set's edits are done and the
newest result is shown; stall = interval - 5 ms.

Photo sets (benchmarks/_common.PHOTO_SETS; real detail, so decoding is real work): what a
designer opens. srgb24: 10 × 24 MP JPEG without a profile (the original set); p3-24: a
phone's Display P3 JPEG; adobe24: a camera's Adobe RGB JPEG; prophoto16: a raw converter's
16-bit ProPhoto TIFF; adobe100: 4 × 100 MP Adobe RGB JPEG. The profiles are built from the
published primaries (tests/icc_profiles.py).

Baselines in the same run: the same heartbeat over the idle window (machine noise floor),
and the srgb24 set, which every other set is compared with (max and p99 ratios).
Attribution: every asyncio callback (task steps, Qt-signal slots run via the loop) and every
canvas/drop-zone paint that takes > 4 ms is recorded; each big stall lists what ran in it,
with the GUI thread's own CPU time when it is well below the span: then how long it
waited for a core (a loaded machine) and how long it was blocked (on the GIL, or on the
kernel's memory-map lock).
Control: the same heartbeat while every pool worker runs GIL-free CPU work (the machine's
and the pool's cost without any GIL hold).
Changes (after the sets; --changes 0 skips it): two srgb24 photos as before and result, the
heartbeat from each switch to Changes mode until its heatmap shows (3 rounds), same goal.

Garbage is collected as the app collects it (app/launch.py): start-up objects frozen,
automatic collection off, the GUI thread's MainThreadCollector (young generations every
second, a full pass every minute). --gc auto leaves Python's automatic collection on, as this
harness did until session 6: a collection then runs in whichever thread allocates past the
threshold (a pool thread holding the GIL through it) and scans the unfrozen start-up objects.

glibc's mmap threshold is fixed as the app fixes it (qwen_studio/core/allocator.py);
BENCH_MALLOC=default leaves glibc's dynamic threshold, for comparison.

Goal: max stall < 50 ms, p99 < 16 ms, for every set. On a shared machine single runs swing
widely (the idle baseline itself reached 4-511 ms max here): run it several times and
compare the ratios to srgb24 within each run. Before/after with one harness:
PYTHONPATH=<old tree> python benchmarks/ui_stall.py (the harness imports the app lazily).

    [BENCH_MALLOC=default] python benchmarks/ui_stall.py [--count 10] [--count-100 4] \
        [--sets srgb24,p3-24,adobe24,prophoto16,adobe100] [--latency 1.0] [--gc app|auto] \
        [--trace] [--top 3] [--changes 3] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import gc
import io
import itertools
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PHOTO_SETS, describe_handle, make_set_photos, sandbox_process

KEY = "bench-key"
TICK_MS = 5
PHOTO_DIR = Path(tempfile.gettempdir()) / "qwen-studio-bench-photos"
BASELINE_SET = "srgb24"


class Heartbeat:
    """A 5 ms precise QTimer; records the monotonic time of every tick."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.threads: ThreadCpu | None = None  # --trace: per-thread CPU at every tick
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        t = time.perf_counter()
        self.ticks.append(t)
        if self.threads is not None:
            self.threads.snapshot(t)

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        if self.threads is not None:
            self.threads.snapshot(self.ticks[0])
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        self.ticks.append(time.perf_counter())
        if self.threads is not None:
            self.threads.snapshot(self.ticks[-1])
        return self.ticks


class ThreadCpu:
    """--trace: every thread's CPU time and run-queue wait (Linux schedstat) at every
    heartbeat tick, so a late beat names the threads that ran while the GUI thread could not,
    and those that waited for a core meanwhile: a pool thread that waited while the GUI
    thread was blocked may have been holding the GIL (the pool runs at a lower priority, so on
    a busy machine the GIL's holder can be the last to get a core). Their jobs are in
    Recorder.thread_jobs."""

    def __init__(self) -> None:
        self.snaps: list[tuple[float, dict[int, tuple[int, int]]]] = []
        self.names: dict[int, str] = {os.getpid(): "GUI"}
        self._fds: dict[int, int] = {}
        self._times: list[float] | None = None

    def snapshot(self, t: float) -> None:
        out: dict[int, tuple[int, int]] = {}
        for name in os.listdir("/proc/self/task"):
            tid = int(name)
            fd = self._fds.get(tid)
            try:
                if fd is None:
                    fd = self._fds[tid] = os.open(f"/proc/self/task/{name}/schedstat",
                                                  os.O_RDONLY)
                    self._name(tid)
                run, wait, _ = os.pread(fd, 100, 0).split()
                out[tid] = (int(run), int(wait))
            except (OSError, ValueError):
                continue
        self.snaps.append((t, out))

    def _name(self, tid: int) -> None:
        """Python threads by their name, others (Qt's) by the kernel's."""
        if tid in self.names:
            return
        for th in threading.enumerate():
            if th.native_id == tid:
                self.names[tid] = th.name
                return
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                self.names[tid] = f.read().strip()
        except OSError:
            self.names[tid] = str(tid)

    def gui_wait(self, a: float, b: float) -> float:
        """ms the GUI thread waited for a core between the snapshots at a and at b."""
        import bisect

        if self._times is None or len(self._times) != len(self.snaps):
            self._times = [t for t, _ in self.snaps]
        i, j = bisect.bisect_left(self._times, a - 1e-7), bisect.bisect_left(self._times, b - 1e-7)
        if j >= len(self.snaps) or j <= i:
            return 0.0
        gui = os.getpid()
        return (self.snaps[j][1].get(gui, (0, 0))[1] - self.snaps[i][1].get(gui, (0, 0))[1]) / 1e6

    def busy_during(self, a: float, b: float) -> list[tuple[int, float, float]]:
        """(native thread id, CPU ms, ms waiting for a core) of the threads that ran or
        waited between the snapshots taken at a and at b (a stall's two beats)."""
        import bisect

        times = [t for t, _ in self.snaps]
        i, j = bisect.bisect_left(times, a - 1e-7), bisect.bisect_left(times, b - 1e-7)
        if i >= len(self.snaps) or j >= len(self.snaps) or j <= i:
            return []
        before, after = self.snaps[i][1], self.snaps[j][1]
        used = [(tid, (run - before.get(tid, (0, 0))[0]) / 1e6,
                 (wait - before.get(tid, (0, 0))[1]) / 1e6)
                for tid, (run, wait) in after.items()]
        return sorted([u for u in used if u[1] + u[2] >= 1.0], key=lambda u: -u[1] - u[2])


def stalls_of(ticks: list[float]) -> list[tuple[float, float, float]]:
    """(stall ms, interval start, interval end) per tick interval."""
    return [(max(0.0, (b - a) * 1000 - TICK_MS), a, b) for a, b in itertools.pairwise(ticks)]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


class Recorder:
    """Long asyncio callbacks and paints, with their start/end times."""

    def __init__(self, threshold_ms: float = 4.0) -> None:
        self.threshold = threshold_ms / 1000
        self.spans: list[tuple[float, float, str]] = []
        self.notes: list[tuple[float, str]] = []
        self.pool_spans: list[tuple[float, float, str]] = []
        self.thread_jobs: list[tuple[float, float, int, str]] = []  # (start, end, tid, job)
        self.threads: ThreadCpu | None = None
        self._gc_start = 0.0
        self._gc_cpu = 0.0
        self.collections: list[tuple[float, int, float, float]] = []  # (start, gen, wall, cpu)

    def note(self, what: str) -> None:
        self.notes.append((time.perf_counter(), what))

    def install(self, window: Any) -> None:
        rec = self
        handle_run = asyncio.events.Handle._run

        def timed_run(handle: asyncio.events.Handle) -> None:
            t, c = time.perf_counter(), _cpu_and_queue()
            try:
                handle_run(handle)
            finally:
                d = time.perf_counter() - t
                if d > rec.threshold:
                    rec.spans.append((t, t + d, describe_handle(handle)
                                      + _cpu_note(c, d)))

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
        gc.callbacks.append(self._on_gc)
        self._wrap_pool(window.pool)
        for widget, name in ((window.compare_view.canvas, "canvas paint"),
                             (window.drop_zone, "drop zone paint"),
                             (window.history_list.viewport(), "history paint")):
            self._time_paint(widget, name)
        # What the user would see happen, for the timeline.
        window.edit_signals.progressChanged.connect(
            lambda p: rec.note(f"edit {p.edit_id} {p.status} {p.stage}"))
        for meth in ("set_before", "set_results"):
            self._wrap(window.compare_view, meth, f"compare_view.{meth}")
        self._wrap(window.drop_zone, "set_inputs", "drop_zone.set_inputs")
        self._wrap(window.history_model, "apply_progress", "history_model.apply_progress")

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start, self._gc_cpu = time.perf_counter(), time.thread_time()
        else:
            d = time.perf_counter() - self._gc_start
            cpu = time.thread_time() - self._gc_cpu
            gen = info.get("generation", -1)
            self.collections.append((self._gc_start, gen, d, cpu))
            if d > self.threshold / 4:
                self.spans.append((self._gc_start, self._gc_start + d,
                                   f"gc gen{gen} (cpu {cpu * 1000:.0f} ms)"))

    def gc_summary(self, a: float, b: float) -> str:
        """Full collections between a and b: how many, and their CPU ms (the GUI thread's
        own work: wall time on a busy machine adds the wait for a core)."""
        full = [(d, c) for t, g, d, c in self.collections if g == 2 and a <= t <= b]
        if not full:
            return "no full gc"
        cpus = ", ".join(f"{c * 1000:.0f}" for _, c in full)
        return f"{len(full)} full gc, cpu ms: {cpus}"

    def _wrap_pool(self, pool: Any) -> None:
        """Pool jobs, for context: most release the GIL, but not all of their steps do."""
        submit = pool.submit
        rec = self

        def timed_submit(fn: Callable[..., Any], *a: Any, **kw: Any) -> Any:
            def job() -> Any:
                t = time.perf_counter()
                try:
                    return fn(*a, **kw)
                finally:
                    end, name = time.perf_counter(), _job_name(fn, a)
                    rec.pool_spans.append((t, end, name))
                    rec.thread_jobs.append((t, end, threading.get_native_id(), name))
            return submit(job)

        pool.submit = timed_submit

    def _wrap(self, obj: Any, meth: str, label: str) -> None:
        orig: Callable[..., Any] = getattr(obj, meth)
        rec = self

        def wrapped(*a: Any, **kw: Any) -> Any:
            t, c = time.perf_counter(), _cpu_and_queue()
            try:
                return orig(*a, **kw)
            finally:
                d = time.perf_counter() - t
                if d > rec.threshold:
                    rec.spans.append((t, t + d, label + _cpu_note(c, d)))

        setattr(obj, meth, wrapped)

    def _time_paint(self, widget: Any, label: str) -> None:
        from PySide6.QtCore import QEvent, QObject

        rec = self

        class PaintTimer(QObject):
            # Paint events: note the start in the filter, the end in a zero-delay check on
            # the next filter call is unreliable, so time the widget's own paintEvent.
            pass

        orig = widget.paintEvent

        def paint(event: Any) -> None:
            t, c = time.perf_counter(), _cpu_and_queue()
            orig(event)
            d = time.perf_counter() - t
            if d > rec.threshold:
                rec.spans.append((t, t + d, label + _cpu_note(c, d)))

        widget.paintEvent = paint
        _ = (QEvent, PaintTimer)

    def during(self, a: float, b: float) -> list[str]:
        out = [f"{(min(e, b) - max(s, a)) * 1000:.0f} ms {what}"
               for s, e, what in self.spans if s < b and e > a]
        out += [what for t, what in self.notes if a <= t <= b]
        if self.threads is not None:
            for tid, ms, queued in self.threads.busy_during(a, b)[:5]:
                jobs = sorted({w for s, e, t, w in self.thread_jobs
                               if t == tid and s < b and e > a})
                out.append(f"{self.threads.names.get(tid, tid)} cpu {ms:.0f} ms, waited for "
                           f"a core {queued:.0f} ms" + (f" in {', '.join(jobs)}" if jobs else ""))
            return out
        pool = sorted({what for s, e, what in self.pool_spans if s < b and e > a})
        if pool:
            out.append("pool busy with " + ", ".join(pool))
        return out


def _cpu_and_queue() -> tuple[float, float]:
    """This thread's CPU time and its time spent runnable but waiting for a core (Linux
    schedstat; 0 elsewhere), in seconds."""
    global _SCHEDSTAT
    try:
        if _SCHEDSTAT is None:  # opened once, by the GUI thread (every caller runs on it)
            _SCHEDSTAT = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        run, wait, _ = os.pread(_SCHEDSTAT, 100, 0).split()
        return int(run) / 1e9, int(wait) / 1e9
    except (OSError, ValueError):
        _SCHEDSTAT = -1
        return time.thread_time(), 0.0


_SCHEDSTAT: int | None = None


def _cpu_note(start: tuple[float, float], wall: float) -> str:
    """Where a long GUI-thread span went: the GUI thread's own CPU, its wait for a core
    (a loaded machine), and the rest, blocked: on the GIL (a pool thread holding it) or in
    the kernel (a page fault or mmap waiting for the memory-map lock while another thread
    unmaps a large image)."""
    cpu, queue = (b - a for a, b in zip(start, _cpu_and_queue(), strict=True))
    if cpu >= 0.8 * wall:
        return ""
    return (f" (GUI cpu {cpu * 1000:.0f}, waiting for a core {queue * 1000:.0f}, "
            f"blocked {max(0.0, wall - cpu - queue) * 1000:.0f} ms)")


def _job_name(fn: Callable[..., Any], args: tuple[Any, ...]) -> str:
    """A pool job's name, cheaply: never repr() a job or its arguments. (This harness once
    did: the repr of a partial holding a result's PNG bytes built a string of several MB
    with the GIL held, in every set, and stalled the window it measures.)"""
    target: Any = fn.func if isinstance(fn, functools.partial) else fn
    name = getattr(target, "__qualname__", None) or type(target).__qualname__
    closure = getattr(target, "__closure__", None)
    if name.endswith("<lambda>") and not args and closure:
        inner = (c.cell_contents for c in closure)
        name = next((n for c in inner if callable(c)
                     and (n := getattr(c, "__qualname__", ""))), name)
    return str(name)


async def until(cond: Callable[[], object], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def measure_idle(beat: Heartbeat, idle_s: float) -> list[float]:
    """Baseline: same heartbeat, window shown, nothing happening."""
    await asyncio.sleep(0.5)
    beat.start()
    await asyncio.sleep(idle_s)
    return beat.stop()


def _gil_free_work(seconds: float) -> int:
    """CPU work that never holds the GIL for long: sha256 of 8 MB blocks (hashlib releases
    it for the whole digest), the way a decoder that releases the GIL loads a core."""
    import hashlib

    block = bytes(8 << 20)
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        hashlib.sha256(block).digest()
        n += 1
    return n


async def measure_control(window: Any, beat: Heartbeat, seconds: float) -> list[float]:
    """Control: the same heartbeat while every pool worker runs GIL-free CPU work. Its
    stalls are what a busy machine and busy pool cost without any GIL hold: the floor
    the photo sets are compared with."""
    loop = asyncio.get_running_loop()
    workers = getattr(window.pool, "_max_workers", 2)
    await asyncio.sleep(0.3)
    beat.start()
    await asyncio.gather(*(loop.run_in_executor(window.pool, _gil_free_work, seconds)
                           for _ in range(workers)))
    return beat.stop()


async def run_scenario(window: Any, photos: list[Path], beat: Heartbeat
                       ) -> tuple[list[float], float]:
    """Add each photo, type a prompt, click Run; until every edit is done and shown."""
    from qwen_studio.ui.history.model import DONE, FAILED

    before = len(window.history_model.entries())
    await asyncio.sleep(0.5)  # the previous set's last frees and paints
    beat.start()
    t0 = time.perf_counter()
    for i, photo in enumerate(photos):
        window.clear_inputs()
        window.add_inputs([photo])
        await until(lambda p=photo: [x.path for x in window.inputs] == [p], 60, "the input")
        window.prompt_panel.prompt_edit.setPlainText(f"warmer light, take {i + 1}")
        window.run_button.click()
    n = before + len(photos)

    def finished() -> bool:
        statuses = [e.status for e in window.history_model.entries()]
        return len(statuses) == n and all(s in (DONE, FAILED) for s in statuses)

    await until(finished, 900, "all edits")
    # "Shown": the window's image loads for the newest result are done.
    await until(lambda: not window.tasks.pending() and window.after_image() is not None, 60,
                "the result to show")
    await asyncio.sleep(0.3)  # catch the paint of the shown result
    busy = beat.stop()
    failed = [e.note for e in window.history_model.entries()[:len(photos)]
              if e.status == FAILED]
    if failed:
        print(f"WARNING: {len(failed)} edits failed: {failed[:2]}")
    return busy, time.perf_counter() - t0


async def measure_changes(window: Any, beat: Heartbeat, photos: list[Path], rounds: int
                          ) -> list[float]:
    """Changes mode on a 24 MP pair: two of the set's photos decoded as the window shows
    them, one as before and one as the result. The heartbeat runs while the view switches
    to Changes (key 4) until its heatmap shows, then back to side by side, `rounds` times."""
    from qwen_studio.ui import image_loading as il

    loop = asyncio.get_running_loop()
    view = window.compare_view
    a, b = await asyncio.gather(*(loop.run_in_executor(il.executor(), il.decode_image, p, 8192)
                                  for p in photos[:2]))
    view.set_mode("side")
    view.set_before(a)
    view.set_results([b])
    del a, b
    await asyncio.sleep(0.5)  # the side-by-side paint and frees settle
    beat.start()
    for _ in range(rounds):
        view.set_mode("changes")
        await until(lambda: view.changes.count is not None, 120, "the changes heatmap")
        await asyncio.sleep(0.3)  # its paint
        view.set_mode("side")
        await asyncio.sleep(0.3)
    return beat.stop()


def report(name: str, ticks: list[float], base: tuple[float, float] | None = None,
           threads: ThreadCpu | None = None
           ) -> tuple[list[tuple[float, float, float]], tuple[float, float]]:
    st = stalls_of(ticks)
    values = [s for s, _, _ in st]
    worst, p99 = max(values), pct(values, 0.99)
    ratio = ""
    if base is not None:
        ratio = (f"  vs {BASELINE_SET}: max ×{worst / max(base[0], 0.1):.2f} "
                 f"p99 ×{p99 / max(base[1], 0.1):.2f}")
    print(f"{name:<11} ticks {len(values):5d}  max {worst:6.1f} ms  p99 {p99:5.1f} ms  "
          f"p50 {pct(values, 0.5):4.1f} ms  "
          f"mean interval {statistics.fmean(b - a for _, a, b in st) * 1000:4.1f} ms{ratio}")
    if threads is not None:
        # On a shared machine most of a late beat can be the GUI thread waiting for a core
        # that another process holds: what is left is the app's own (its CPU, the GIL, Qt).
        own = [max(0.0, s - threads.gui_wait(a, b)) for s, a, b in st]
        print(f"{'':<11} less the GUI thread's wait for a core: max {max(own):6.1f} ms  "
              f"p99 {pct(own, 0.99):5.1f} ms")
    return st, (worst, p99)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=10, help="photos per 24 MP set")
    ap.add_argument("--count-100", type=int, default=4, help="photos in the 100 MP set")
    ap.add_argument("--sets", default=",".join(PHOTO_SETS),
                    help=f"photo sets, run in this order in one window (of {', '.join(PHOTO_SETS)}"
                         f"); {BASELINE_SET} is the baseline the others are compared with")
    ap.add_argument("--latency", type=float, default=1.0, help="sandbox seconds per edit")
    ap.add_argument("--idle", type=float, default=2.0, help="idle baseline seconds")
    ap.add_argument("--control", type=float, default=4.0,
                    help="seconds of the control: pool workers busy with GIL-free work")
    ap.add_argument("--gc", choices=("app", "auto"), default="app",
                    help="app (default): collect garbage as the app does (app/launch.py: "
                         "gc.freeze() after start-up, automatic collection off, the GUI "
                         "thread's MainThreadCollector); auto: Python's automatic collection "
                         "in whichever thread allocates, start-up objects unfrozen (this "
                         "harness until session 6)")
    ap.add_argument("--trace", action="store_true",
                    help="per-thread CPU at every beat: name the threads (and their pool jobs) "
                         "that ran through each big stall (a little GUI-thread cost per beat)")
    ap.add_argument("--top", type=int, default=3, help="stalls listed per set")
    ap.add_argument("--changes", type=int, default=3, metavar="ROUNDS",
                    help="after the sets: switch to Changes mode on a 24 MP pair (two "
                         f"{BASELINE_SET} photos) this many times, until the heatmap shows "
                         "(0: skip)")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile the GUI thread during the edits (slower; changes figures)")
    args = ap.parse_args()

    sets = [k.strip() for k in args.sets.split(",") if k.strip()]
    photo_sets: dict[str, list[Path]] = {}
    for kind in sets:
        t = time.perf_counter()
        n = args.count_100 if kind == "adobe100" else args.count
        photo_sets[kind] = make_set_photos(kind, n, PHOTO_DIR)
        (w, h), space, fmt = PHOTO_SETS[kind]
        size = sum(p.stat().st_size for p in photo_sets[kind]) / n / 1e6
        print(f"set {kind}: {n} × {w}×{h} {fmt}, {space.name if space else 'no profile'}, "
              f"{size:.1f} MB each (ready in {time.perf_counter() - t:.1f} s)")

    changes_photos = (photo_sets.get(BASELINE_SET) or make_set_photos(BASELINE_SET, 2, PHOTO_DIR)
                       if args.changes else [])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    with tempfile.TemporaryDirectory() as tmp, \
            sandbox_process("--latency", str(args.latency), "--key", KEY) as base:
        os.environ["QWEN_STUDIO_HOME"] = str(Path(tmp) / "home")
        os.environ["QWEN_STUDIO_ENDPOINT"] = base
        os.environ["QWEN_STUDIO_API_KEY"] = KEY

        from PySide6.QtWidgets import QApplication

        from qwen_studio.app import create_main_window, event_loop

        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        loop = event_loop(app)  # as the app runs it (default executor: the app's pool)
        window = create_main_window()
        window.resize(1400, 900)
        window.show()
        if os.environ.get("BENCH_MALLOC") != "default":  # as app.main() does
            from qwen_studio.core.allocator import use_mmap_for_large_blocks

            print(f"glibc mmap threshold fixed: {use_mmap_for_large_blocks()}")
        collector = None
        if args.gc == "app":  # as app/launch.py's run() does once the window is up
            from qwen_studio.ui.main_thread_gc import MainThreadCollector

            gc.freeze()
            collector = MainThreadCollector(app, refreeze=True)
            collector.start()
        print(f"gc: {len(gc.get_objects())} tracked objects "
              f"({gc.get_freeze_count()} frozen) after start-up")
        if collector is not None and args.trace:
            full_pass = collector.collect

            def census() -> None:  # what each full pass scans (once a minute: cheap enough)
                if collector._ticks % 60 == 59:  # the next tick is the full one
                    from collections import Counter

                    objs = gc.get_objects(generation=2)
                    top = Counter(type(o).__qualname__ for o in objs).most_common(8)
                    print(f"gc: the full pass scans {len(objs)} objects; most: "
                          + ", ".join(f"{n} {k}" for k, n in top))
                    del objs
                full_pass()

            collector._timer.timeout.disconnect()
            collector._timer.timeout.connect(census)
        rec = Recorder()
        rec.install(window)
        beat = Heartbeat()
        if args.trace:
            beat.threads = rec.threads = ThreadCpu()
        prof = cProfile.Profile() if args.profile else None
        runs: dict[str, tuple[list[float], float]] = {}
        control: list[float] = []

        async def scenario() -> list[float]:
            if prof is not None:
                prof.enable()
            try:
                idle = await measure_idle(beat, args.idle)
                control[:] = await measure_control(window, beat, args.control)
                for kind in sets:
                    runs[kind] = await run_scenario(window, photo_sets[kind], beat)
                if args.changes:
                    t = time.perf_counter()
                    ticks = await measure_changes(window, beat, changes_photos, args.changes)
                    runs["changes"] = (ticks, time.perf_counter() - t)
                return idle
            finally:
                if prof is not None:
                    prof.disable()

        try:
            idle = loop.run_until_complete(scenario())
        finally:
            if collector is not None:
                collector.stop()
            window.close()
            loop.run_until_complete(window.shutdown())
            # As app.main ends: pools joined and the loop closed, so no thread outlives Qt.
            from qwen_studio.ui import image_loading

            image_loading.executor().shutdown(wait=True)
            loop.close()

    print(f"heartbeat {TICK_MS} ms; sandbox latency {args.latency} s; per set: each photo "
          "added, prompted and run, until all are done and the newest result is shown")
    report("idle", idle, threads=rec.threads)
    report("control", control, threads=rec.threads)
    base_figures = None
    if BASELINE_SET in runs:
        _, base_figures = report(BASELINE_SET, runs[BASELINE_SET][0], threads=rec.threads)
    tops: list[tuple[str, list[tuple[float, float, float]], float]] = []
    for kind, (busy, wall) in runs.items():
        if kind == BASELINE_SET:
            st = stalls_of(busy)
        else:
            st, _ = report(kind, busy, base_figures, rec.threads)
        tops.append((kind, st, busy[0]))
        what = (f"{args.changes} switches to Changes mode on a 24 MP pair, heatmap shown"
                if kind == "changes" else f"{len(photo_sets[kind])} edits submitted and shown")
        print(f"{'':<11} {what} in {wall:.1f} s; {rec.gc_summary(busy[0], busy[-1])}")
    threads = rec.threads
    for kind, st, t0 in tops:
        print(f"{kind}: top {args.top} stalls (time since first submit: stall; what ran in it):")
        for stall, a, b in sorted(st, reverse=True)[:args.top]:
            what = rec.during(a, b)
            print(f"  +{(a - t0):6.2f} s: {stall:6.1f} ms; "
                  f"{'; '.join(what[:10]) or '(not attributed)'}")
        if threads is not None:  # the app's own: the GUI thread's wait for a core left out
            print(f"{kind}: top {args.top} less the GUI thread's wait for a core:")
            own = sorted(((s - threads.gui_wait(a, b), a, b) for s, a, b in st), reverse=True)
            for stall, a, b in own[:args.top]:
                print(f"  +{(a - t0):6.2f} s: {stall:6.1f} ms; "
                      f"{'; '.join(rec.during(a, b)[:10]) or '(not attributed)'}")
    print("goal (every set): max < 50 ms, p99 < 16 ms")
    if prof is not None:
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(25)
        print(s.getvalue())


if __name__ == "__main__":
    main()
