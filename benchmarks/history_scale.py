"""How the history behaves with a big library: 10,000 edits.

    python benchmarks/history_scale.py [--edits 10000] [--baseline REF | --no-baseline]

Seeds a temp QWEN_STUDIO_HOME with real edits (tiny PNG inputs and results, so thumbnails
are real work), then reports:
  * start to first paint of the main window, with that library vs an empty one (a fresh
    subprocess each run, offscreen; measured from just before the process is spawned to
    the window's first paint event). Goal: ratio <= 1.2.
  * search latency: median of Library.query (first page, as the list asks) over queries.
    Goal: < 50 ms.
  * scrolling newest to oldest (#18): every page loaded, then every screenful painted
    and its thumbnails decoded. Total work is the window process's CPU time (GUI thread
    and pool) for both; the longest stall is the GUI thread's longest late wake-up of a
    5 ms heartbeat. Goals: < 3 s of work, no stall > 50 ms, RSS < 300 MB. Measured for
    this tree and, in the same run over the same library, for the baseline tree (`git
    archive REF`, default main's merge base) to give a ratio.
Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_WORD_TEXT = ("sky sunset watercolour portrait studio backdrop remove background golden hour "
              "snow night neon city forest lake mountain vintage film grain cinematic pastel "
              "oil painting sketch hat flowers 海边 夕阳 水彩")
WORDS = _WORD_TEXT.split()

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

stalls = []

async def heartbeat():
    # The GUI thread's longest gaps: anything that blocks it (a page laid out, a paint,
    # a decode on the wrong thread) shows as a late wake-up.
    last = time.perf_counter()
    while True:
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        stalls.append(now - last - 0.005)
        last = now

async def main():
    w = create_main_window()
    f = FirstPaint(); w.installEventFilter(f)
    w.resize(1400, 900); w.show()
    while "paint" not in out:
        await asyncio.sleep(0.005)
    if MODE == "scroll":
        m, lv = w.history_model, w.history_list
        beat = asyncio.ensure_future(heartbeat())
        t, cpu, gui = time.perf_counter(), time.process_time(), time.thread_time()
        # Page in: keep asking for the next page until the oldest edit is listed.
        while not m.fully_loaded():
            lv.scrollToBottom()
            await asyncio.sleep(0.01)
        # The view lays rows out in batches over a few turns of the loop: until it is done
        # the scroll range is short of the whole list.
        bar = lv.verticalScrollBar()
        while True:
            top = bar.maximum()
            await asyncio.sleep(0.05)
            if bar.maximum() == top:
                break
        out["page_in_s"] = time.perf_counter() - t
        out["page_in_cpu_s"] = time.process_time() - cpu
        page_stalls, stalls[:] = list(stalls), []
        # Then newest to oldest a screenful at a time, each painted (thumbnails asked for).
        t2, cpu2 = time.perf_counter(), time.process_time()
        bar.setValue(0)
        for v in range(0, bar.maximum() + 1, max(1, lv.viewport().height())):
            bar.setValue(v)
            lv.viewport().repaint()
            await asyncio.sleep(0)
        while pending(m):
            await asyncio.sleep(0.01)
        out["fling_s"] = time.perf_counter() - t2
        out["fling_cpu_s"] = time.process_time() - cpu2
        beat.cancel()
        out["rows"] = m.rowCount()
        out["scroll_s"] = time.perf_counter() - t
        out["work_cpu_s"] = time.process_time() - cpu
        out["gui_cpu_s"] = time.thread_time() - gui  # the GUI thread's share
        out["max_stall_ms"] = max(page_stalls + stalls, default=0) * 1000
        out["stalls_over_50ms"] = sum(s > 0.05 for s in page_stalls + stalls)
        out["thumbs_cached"] = m.cached_thumbnails()
        out["rss_mb"] = rss_mb()
    w.close()
    await w.shutdown()

try:
    loop.run_until_complete(main())
finally:
    loop.close()  # closes its default executor too: nothing left running at exit
print(json.dumps(out))
"""


def png(color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def seed(home: Path, n: int) -> float:
    os.environ["QWEN_STUDIO_HOME"] = str(home)
    from qwen_studio.core.library import EditStatus, Library
    from qwen_studio.core.request import EditRequest

    t = time.perf_counter()
    day = 86400.0
    now = time.time()
    with Library() as lib:
        for i in range(n):
            c = (i * 37 % 256, i * 91 % 256, i * 13 % 256)
            sha, path = lib.store_bytes(png(c, (96, 64)), "png")
            words = [WORDS[(i * k + 3) % len(WORDS)] for k in (1, 7, 11, 13)]
            req = EditRequest(inputs=(str(path),), prompt=f"{' '.join(words)} #{i}")
            eid = lib.create_edit(req, input_hashes=(sha,))
            if i % 20 == 7:
                lib.set_status(eid, EditStatus.FAILED, error="moderation")
            else:
                lib.complete_edit(eid, [png((c[2], c[0], c[1]), (96, 64))])
            if i % 50 == 0:
                lib.set_favourite(eid, True)
        # Spread the edits over ~100 days, so day headers are real.
        with lib._tx() as conn:
            conn.execute("UPDATE edits SET created_at = ? - (? - id) * ?",
                         (now, n, 100 * day / n))
    return time.perf_counter() - t


def child(home: Path, mode: str, tree: Path = ROOT) -> dict:
    env = {**os.environ, "QWEN_STUDIO_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": str(tree)}
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, repr(t0), mode, str(tree)], env=env,
                         capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def search_latency(home: Path) -> tuple[float, list[tuple[str, float, int]]]:
    os.environ["QWEN_STUDIO_HOME"] = str(home)
    from qwen_studio.core.library import Library

    queries = ["sunset", "water", "golden hour", "neon city", "夕阳", "hat", "zzz-none",
               "portrait studio", "#123", "film"]
    per: list[tuple[str, float, int]] = []
    with Library() as lib:
        lib.query("warm", limit=100)  # first query opens the pages
        for q in queries:
            times = []
            for _ in range(5):
                t = time.perf_counter()
                res = lib.query(q, limit=100)
                lib.count(q)  # the panel shows "N found"
                times.append(time.perf_counter() - t)
            per.append((q, statistics.median(times) * 1000, len(res)))
    return statistics.median(ms for _, ms, _ in per), per


def baseline_tree(ref: str, into: Path) -> Path | None:
    """The code at `ref` (e.g. main before this change), unpacked to run the same child."""
    try:
        base = subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", ref],
                              capture_output=True, text=True, check=True).stdout.strip()
        data = subprocess.run(["git", "-C", str(ROOT), "archive", base],
                              capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"no baseline ({ref}): {exc}")
        return None
    import tarfile

    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    print(f"baseline: {ref} at {base[:10]}")
    return into


def print_scroll(name: str, s: dict) -> None:
    print(f"{name}: {s['rows']} rows; page in {s['page_in_s']:.1f} s "
          f"({s['page_in_cpu_s']:.1f} s CPU), every screenful painted {s['fling_s']:.1f} s "
          f"({s['fling_cpu_s']:.1f} s CPU)")
    print(f"    total work {s['work_cpu_s']:.1f} s CPU ({s['gui_cpu_s']:.1f} s on the GUI thread),"
          f" {s['scroll_s']:.1f} s wall  (goal < 3 s)")
    print(f"    longest GUI stall {s['max_stall_ms']:.0f} ms, {s['stalls_over_50ms']} over 50 ms"
          f"  (goal: none)")
    print(f"    {s['thumbs_cached']} thumbnails cached, RSS {s['rss_mb']:.0f} MB"
          f"  (goal < 300 MB)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", default="main", help="git ref to compare with")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty, big = Path(tmp) / "empty", Path(tmp) / "big"
        empty.mkdir()
        big.mkdir()
        took = seed(big, args.edits)
        print(f"seeded {args.edits} edits in {took:.1f} s")
        empties, bigs = [], []
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            empties.append(child(empty, "paint")["paint"])
            bigs.append(child(big, "paint")["paint"])
        e, b = statistics.median(empties), statistics.median(bigs)
        print(f"first paint, empty library : {e * 1000:.0f} ms (median of {args.runs})")
        print(f"first paint, {args.edits} edits : {b * 1000:.0f} ms")
        print(f"ratio                      : {b / e:.2f}x  (goal <= 1.2x)")
        med, per = search_latency(big)
        print(f"search latency (median)    : {med:.1f} ms  (goal < 50 ms)")
        for q, ms, n in per:
            print(f"    {q!r:20} {ms:6.1f} ms  {n} rows")
        old_tree = None if args.no_baseline else baseline_tree(args.baseline,
                                                               Path(tmp) / "baseline")
        if old_tree is not None:
            # The baseline first: thumbnails this tree stores in the library would
            # otherwise make its run look cheaper than it is. Its own cache is elsewhere.
            old = child(big, "scroll", old_tree)
            print_scroll("baseline  ", old)
        new = child(big, "scroll")
        print_scroll("this tree ", new)
        if old_tree is not None:
            print(f"ratio of total work: {old['work_cpu_s'] / new['work_cpu_s']:.1f}x less "
                  f"({old['work_cpu_s']:.1f} s -> {new['work_cpu_s']:.1f} s CPU); longest "
                  f"stall {old['max_stall_ms']:.0f} -> {new['max_stall_ms']:.0f} ms")
        again = child(big, "scroll")  # thumbnails now stored: a second visit
        print_scroll("this tree, again", again)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
