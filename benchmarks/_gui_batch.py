"""Run the window's batch queue once, offscreen, and print one JSON line of measurements.

    python benchmarks/_gui_batch.py BASE_URL FOLDER [--concurrency 8] [--key KEY]

Used as a subprocess by batch_memory.py, batch_throughput.py and ui_stall_batch.py, so
each measurement has a fresh process (peak RSS is per process) and its own GIL.
Reports: jobs, done, elapsed_s (Run pressed → batch finished), peak_rss_mb, and the
event-loop heartbeat (a 5 ms QTimer): max_stall_ms and p99_stall_ms over the run.

Garbage collection runs as in the app (qwen_studio.app.main): gc.freeze() once the window
is shown, automatic collection off, MainThreadCollector on the GUI thread; its once-a-minute
full pass is moved to 5 s after Run so every run pays one. BENCH_GC=auto keeps Python's
automatic collection instead (what this script did before; not what the app does).
glibc's mmap threshold is fixed as the app fixes it (qwen_studio/core/allocator.py);
BENCH_MALLOC=default leaves glibc's dynamic threshold, for comparison.

With TRACE=1 in the environment it also attributes the longest stalls (`top_stalls`): a
sampler thread looks at the GUI thread's Python stack every 2 ms while a beat is late, and
the collector, long asyncio callbacks and what the other threads were doing are noted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import describe_handle

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


class StallTracer:
    """Attributes late heartbeats: what the GUI thread's Python stack was while it was late.

    A frame of only the event loop means Qt was busy in C++ (paint, layout, a model signal
    fanning out to the view) or the thread waited for the GIL; `others` lists what the
    other threads were running then. Collections and asyncio callbacks > 3 ms are timed.
    """

    def __init__(self, late_ms: float = 12.0) -> None:
        self.late = late_ms / 1000
        self.last_beat = time.perf_counter()
        self.main_id = threading.get_ident()
        # CPU clocks: did the GUI thread compute through a stall, or wait (GIL, scheduler)?
        self._main_clock = time.pthread_getcpuclockid(self.main_id)
        self.cpu: list[tuple[float, float, float]] = []  # (wall, GUI thread cpu, process cpu)
        self.samples: list[tuple[float, str, str]] = []  # (time, main stack, others)
        self.spans: list[tuple[float, float, str]] = []  # (start, end, what)
        self._stop = threading.Event()
        self._gc_t = 0.0
        self._thread = threading.Thread(target=self._sample, name="stall-sampler", daemon=True)

    def start(self) -> None:
        import asyncio.events
        import gc

        gc.callbacks.append(self._on_gc)
        run = asyncio.events.Handle._run
        spans = self.spans

        def timed(handle: Any) -> None:
            t = time.perf_counter()
            try:
                run(handle)
            finally:
                d = time.perf_counter() - t
                if d > 0.003:
                    spans.append((t, t + d, f"asyncio {describe_handle(handle)}"))

        asyncio.events.Handle._run = timed  # type: ignore[method-assign]
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def beat(self) -> None:
        self.last_beat = time.perf_counter()
        self.cpu.append((self.last_beat, time.clock_gettime(self._main_clock),
                         time.process_time()))

    def cpu_during(self, start: float, end: float) -> str:
        """GUI thread and whole-process CPU ms between the beats around a stall."""
        import bisect

        walls = [w for w, _, _ in self.cpu]
        i = max(0, bisect.bisect_left(walls, start - 1e-4) - 1)
        j = min(len(walls) - 1, bisect.bisect_left(walls, end - 1e-4))
        if j <= i:
            return ""
        (w0, m0, p0), (w1, m1, p1) = self.cpu[i], self.cpu[j]
        return (f"GUI thread cpu {(m1 - m0) * 1000:.0f} ms, other threads "
                f"{(p1 - p0 - (m1 - m0)) * 1000:.0f} ms, of {(w1 - w0) * 1000:.0f} ms wall")

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_t = time.perf_counter()
        else:
            t = time.perf_counter()
            if t - self._gc_t > 0.002:
                self.spans.append((self._gc_t, t, f"gc gen{info.get('generation')} "
                                   f"({info.get('collected')} freed)"))

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            now = time.perf_counter()
            if now - self.last_beat < self.late:
                continue
            frames = sys._current_frames()
            main = frames.get(self.main_id)
            others = []
            for tid, f in frames.items():
                if tid in (self.main_id, threading.get_ident()):
                    continue
                top = _stack(f, 3)
                if not any(w in top for w in ("_worker (thread", "wait (threading",
                                              "select (selectors", "_wait_for_tstate")):
                    others.append(top)
            self.samples.append((now, _stack(main, 6) if main else "?", " | ".join(others)))

    def attribute(self, start: float, end: float) -> dict[str, Any]:
        stacks = Counter(m for t, m, _ in self.samples if start <= t <= end)
        others = Counter(o for t, _, o in self.samples if start <= t <= end and o)
        spans = [f"{(min(e, end) - max(s, start)) * 1000:.0f} ms {w}"
                 for s, e, w in self.spans if s < end and e > start]
        return {"cpu": self.cpu_during(start, end),
                "main": [f"{n}× {k}" for k, n in stacks.most_common(4)],
                "others": [f"{n}× {k}" for k, n in others.most_common(2)], "spans": spans[:6]}


def thread_cpu() -> dict[str, float]:
    """CPU seconds per thread name so far (Linux /proc; empty elsewhere)."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for task in Path("/proc/self/task").glob("*"):
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if task.name == str(os.getpid()):
            name = "GUI thread"
        elif name.startswith("python"):
            name = "python threads"  # Python < 3.14 does not name its threads for the OS
        name = name.rstrip("0123456789_").rstrip("-") or name  # pool threads as one
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def _stack(frame: Any, depth: int) -> str:
    out = []
    while frame is not None and len(out) < depth:
        code = frame.f_code
        out.append(f"{code.co_name} ({Path(code.co_filename).stem}:{frame.f_lineno})")
        frame = frame.f_back
    return " < ".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("base_url")
    ap.add_argument("folder", type=Path)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--key", default="bench-key")
    # The same output size as the other clients in a comparison: Auto makes the sandbox
    # render ~1 MP, four times the pixels of 512*512, and the ratio would measure that.
    ap.add_argument("--size", default="")
    args = ap.parse_args()

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from qwen_studio.app import create_main_window, event_loop
    from qwen_studio.core.client import ClientSettings, Endpoint
    from qwen_studio.core.editing.status import EditStatus
    from qwen_studio.ui import image_loading

    if os.environ.get("SWITCH"):
        sys.setswitchinterval(float(os.environ["SWITCH"]))
    app = QApplication(sys.argv[:1])
    loop = event_loop(app)  # as the app runs it (default executor: the app's pool)
    gaps: list[float] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    last = [0]

    big: list[tuple[float, float]] = []  # (when in s, stall ms) of the worst beats
    tracer = StallTracer() if os.environ.get("TRACE") else None
    late: list[tuple[float, float, float]] = []  # (stall ms, start, end) for the tracer

    def beat() -> None:
        now = clock.nsecsElapsed()
        gap = (now - last[0]) / 1e6
        gaps.append(gap)
        if gap > 30:
            big.append((round(now / 1e9, 2), round(gap, 1)))
        last[0] = now
        if tracer is not None:
            t = time.perf_counter()
            tracer.beat()
            if gap > 15:
                late.append((gap - 5, t - gap / 1000, t))

    heartbeat.timeout.connect(beat)

    async def run() -> dict[str, float]:
        w = create_main_window()
        w.set_endpoint(Endpoint(args.base_url, "bailian", args.key, "Benchmark"))
        w.resize(1400, 900)
        w.show()
        collector = None
        if os.environ.get("BENCH_MALLOC") != "default":  # as app.main() does
            from qwen_studio.core.allocator import use_mmap_for_large_blocks

            use_mmap_for_large_blocks()
        if os.environ.get("BENCH_GC") != "auto":  # as app.main() does after show()
            import gc

            from qwen_studio.ui import main_thread_gc

            gc.freeze()
            collector = main_thread_gc.MainThreadCollector(app)
            collector.start()
        c = w.batch.controller
        c.client_settings = ClientSettings(backoff_base=0.05, backoff_max=0.5)
        c.set_concurrency(args.concurrency)
        w.batch.panel.concurrency_spin.setValue(args.concurrency)
        w.prompt_panel.prompt_edit.setPlainText("studio backdrop")
        if args.size:
            w.params.set_size(args.size)
        await w.batch.add_folder(args.folder)
        jobs = len(c.jobs())
        await asyncio.sleep(0.2)  # let the first paint and thumbnails settle
        if tracer is not None:
            tracer.start()
        if collector is not None:  # the 5th tick from now is the full pass
            collector._ticks = main_thread_gc.FULL_EVERY - 5
        cpu0 = thread_cpu()
        clock.start()
        last[0] = 0
        heartbeat.start()
        t0 = time.perf_counter()
        assert w.batch.run()
        while c.active:
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - t0
        heartbeat.stop()
        cpu1 = thread_cpu()
        if tracer is not None:
            tracer.stop()
        done = sum(j.status is EditStatus.DONE for j in c.jobs())
        thumbs = w.batch.panel.model.thumbnail_count()
        await w.shutdown()
        w.close()
        if collector is not None:
            collector.stop()
        stalls = sorted(max(0.0, g - 5.0) for g in gaps)  # time beyond the 5 ms interval
        p99 = stalls[int(len(stalls) * 0.99)] if stalls else 0.0
        return {
            "jobs": jobs,
            "done": done,
            "elapsed_s": round(elapsed, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "max_stall_ms": round(stalls[-1] if stalls else 0.0, 1),
            "p99_stall_ms": round(p99, 1),
            "thumbnails_held": thumbs,
            # Where this process's CPU went during the batch.
            "cpu_s": {k: round(v - cpu0.get(k, 0.0), 2) for k, v in sorted(cpu1.items())
                      if v - cpu0.get(k, 0.0) >= 0.05},
            "stalls_over_30ms": big[:20],
            **({"top_stalls": [
                {"ms": round(ms, 1), "at_s": round(a - t0, 2), **tracer.attribute(a, b)}
                for ms, a, b in sorted(late, reverse=True)[:12]]} if tracer else {}),
        }

    try:
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats
            prof = cProfile.Profile()
            result = prof.runcall(loop.run_until_complete, run())
            if os.environ.get("PROFILE_OUT"):  # for pstats / snakeviz: callers, cumulative
                prof.dump_stats(os.environ["PROFILE_OUT"])
            pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        else:
            result = loop.run_until_complete(run())
    finally:
        image_loading.executor().shutdown(wait=True)
        loop.close()
    print(json.dumps(result), flush=True)


def run_subprocess(base_url: str, folder: Path, concurrency: int, key: str,
                   env: dict[str, str] | None = None, size: str = "") -> dict[str, float]:
    """Run this script in a fresh process and return its measurements."""
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, base_url, str(folder), "--concurrency", str(concurrency),
         "--key", key, "--size", size],
        capture_output=True, text=True, env=env or dict(os.environ), timeout=1800,
    )
    if out.returncode != 0:
        raise SystemExit(f"GUI batch failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
