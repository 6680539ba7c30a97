"""Run the window's batch queue once, offscreen, and print one JSON line of measurements.

    python benchmarks/_gui_batch.py BASE_URL FOLDER [--concurrency 8] [--key KEY]

Used as a subprocess by batch_memory.py, batch_throughput.py and ui_stall_batch.py, so
each measurement has a fresh process (peak RSS is per process) and its own GIL.
Reports: jobs, done, elapsed_s (Run pressed → batch finished), peak_rss_mb, and the
event-loop heartbeat (a 5 ms QTimer): max_stall_ms and p99_stall_ms over the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


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

    import qasync
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from qwen_studio.app import create_main_window
    from qwen_studio.core.client import ClientSettings, Endpoint
    from qwen_studio.core.jobs import JobState
    from qwen_studio.ui import image_loading

    if os.environ.get("SWITCH"):
        sys.setswitchinterval(float(os.environ["SWITCH"]))
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    gaps: list[float] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    last = [0]

    big: list[tuple[float, float]] = []  # (when in s, stall ms) of the worst beats

    def beat() -> None:
        now = clock.nsecsElapsed()
        gap = (now - last[0]) / 1e6
        gaps.append(gap)
        if gap > 30:
            big.append((round(now / 1e9, 2), round(gap, 1)))
        last[0] = now

    heartbeat.timeout.connect(beat)

    async def run() -> dict[str, float]:
        w = create_main_window()
        w.set_endpoint(Endpoint(args.base_url, "bailian", args.key, "Benchmark"))
        w.resize(1400, 900)
        w.show()
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
        clock.start()
        last[0] = 0
        heartbeat.start()
        t0 = time.perf_counter()
        assert w.batch.run()
        while c.active:
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - t0
        heartbeat.stop()
        done = sum(j.state is JobState.DONE for j in c.jobs())
        thumbs = w.batch.panel.model.thumbnail_count()
        await w.shutdown()
        w.close()
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
            "stalls_over_30ms": big[:20],
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
