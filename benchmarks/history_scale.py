"""How the history behaves with a big library: 10,000 edits.

    python benchmarks/history_scale.py [--edits 10000] [--runs 3] [--baseline REF |
        --no-baseline] [--scroll-only] [--home DIR] [--slow-rows 300]

Seeds a temp QWEN_STUDIO_HOME (or --home, seeded once and reused) with real edits (tiny PNG
inputs and results, so thumbnails are real work), then reports:
  * start to first paint of the main window, with that library vs an empty one (a fresh
    subprocess each run, offscreen; from just before the process is spawned to the
    window's first paint event). Goal: ratio <= 1.2.
  * search latency: median of Library.query (first page, as the list asks) over queries.
    Goal: < 50 ms.
  * scrolling newest to oldest (#18), as a user does it: a fling. The list moves a
    screenful a frame at 60 frames a second, paced by the clock as a display is, each
    frame painted; pages load on the way (the view asks for them), and a frame is counted
    only when the list moved. It ends at the oldest edit, once the thumbnails it asked for
    have arrived. It starts once the window's own start-up work after its first frame
    (the spend summary, prices, the HTTP client's warm-up) is done: that is not the
    fling's, and until #18's fourth round a varying part of it (~0.2-0.3 s) landed in the
    fling (HISTORY_SETTLE=0 measures as then). Total work is the window process's CPU
    (GUI thread, pool, Qt's threads), also per thread; a stall is a late wake-up of a 5 ms
    heartbeat on the GUI thread, and "busy" is the part of it the GUI thread itself spent
    on CPU (on a shared machine the rest is the OS running something else). Goals: < 3 s
    of work, no stall > 50 ms, peak RSS < 300 MB, the thumbnail cache under its cap.
  * a slow scroll: a wheel notch (72 px) a frame over the first --slow-rows rows, where
    every row stays on screen long enough for its picture.
  Ratios in the same run: against the baseline tree (`git archive REF`, default main's
  merge base) on the same library, and against the floor, Qt's own QTableView of 10,000
  plain text rows of the same height and size flung the same way (no Python per row).
  Every run is a first visit (the library's stored small thumbnails are removed first);
  one last run is a second visit, with them stored.

The floor is Qt's table as it comes: it repaints Fusion's scroll bar every frame as the
style draws it (measured offscreen ~0.7 ms of CPU a repaint, part in Qt's worker threads:
~0.8 s of the floor's fling). Since #18's third round the history draws the same look from
kept pictures (ui/history/scroll_bar.py) and paints its rows in one pass, so "this tree /
bare Qt" can approach or pass 1.0 without the rows being cheaper than plain text.

Until #18's second round the scroll stepped a screenful per turn of the event loop with no
frame pacing: decodes were starved rather than skipped (no user scrolls faster than the
display shows), frames were repainted while it waited for a page, and there was no floor
to compare with. The figures of the two versions are not comparable.
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

from _history_child import CHILD  # the code each measured process runs

ROOT = Path(__file__).resolve().parents[1]
# --seed-into runs with the baseline tree's code (seed_with): its schema, which both open.
sys.path.insert(0, os.environ.get("HISTORY_SEED_TREE") or str(ROOT))

_WORD_TEXT = ("sky sunset watercolour portrait studio backdrop remove background golden hour "
              "snow night neon city forest lake mountain vintage film grain cinematic pastel "
              "oil painting sketch hat flowers 海边 夕阳 水彩")
WORDS = _WORD_TEXT.split()


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


def seed_with(tree: Path, home: Path, n: int) -> float:
    """seed() by `tree`'s code, in a process of its own: a baseline's library schema, which
    this tree migrates (on its own copy, own_copy()) and the baseline could not open."""
    out = subprocess.run([sys.executable, __file__, "--seed-into", str(home), "--edits",
                          str(n)], env={**os.environ, "PYTHONPATH": str(tree),
                                        "HISTORY_SEED_TREE": str(tree)},
                         capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1])


def own_copy(home: Path, into: Path) -> Path:
    """`home` for this tree alone: its database copied (this tree migrates an older schema
    in place), every other file linked (the same stored files, no copies)."""
    import shutil

    shutil.copytree(home, into, copy_function=os.link, dirs_exist_ok=True)
    for db in into.rglob("*.sqlite3*"):
        db.unlink()
        shutil.copy2(home / db.relative_to(into), db)
    return into


def forget_thumbnails(home: Path) -> None:
    """A first visit: no small thumbnails stored yet (made the first time a row shows)."""
    import shutil

    for d in home.rglob("thumbs"):
        if d.is_dir():
            shutil.rmtree(d)


def child(home: Path, mode: str, tree: Path = ROOT, *extra: object,
          first_visit: bool = True) -> dict:
    if first_visit:
        forget_thumbnails(home)
    env = {**os.environ, "QWEN_STUDIO_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": str(tree)}
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, repr(t0), mode, str(tree),
                          *map(str, extra)], env=env,
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


def print_phase(name: str, s: dict, what: str) -> None:
    f = s[what]
    print(f"{name}: {what} {f['frames']} frames in {f['wall_s']:.1f} s wall; work "
          f"{f['cpu_s']:.2f} s CPU ({f['gui_s']:.2f} s GUI thread); longest stall "
          f"{f['max_stall_ms']:.0f} ms, {f['stalls_over_50ms']} over 50 ms (busy: "
          f"{f['max_busy_ms']:.0f} ms, {f['busy_over_50ms']})"
          + (f"; {s['thumbs_cached']} thumbnails cached" if "thumbs_cached" in s else "")
          + (f"; a full GC pass {s['full_gc_ms']:.0f} ms" if "full_gc_ms" in s else "")
          + f"; peak RSS {s['peak_mb']:.0f} MB"
          + (f"; started {s['settle_s']:.1f} s after the first page" if "settle_s" in s else ""))


def summary(name: str, runs: list[dict], what: str) -> str:
    cpu = [r[what]["cpu_s"] for r in runs]
    stall = [r[what]["max_stall_ms"] for r in runs]
    over = [r[what]["stalls_over_50ms"] for r in runs]
    busy = [r[what]["max_busy_ms"] for r in runs]
    busy_over = [r[what]["busy_over_50ms"] for r in runs]
    each = ", ".join(f"{c:.2f}" for c in cpu)
    return (f"{name:28} work {statistics.median(cpu):5.2f} s CPU (runs {each})"
            f"; longest stall {max(stall):.0f} ms, over 50 ms: {', '.join(map(str, over))}"
            f"; of it busy: {max(busy):.0f} ms, over 50 ms: {', '.join(map(str, busy_over))}")


def first_paint_and_search(empty: Path, big: Path, args: argparse.Namespace) -> None:
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", default="main", help="git ref to compare with")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--slow-rows", type=int, default=300)
    ap.add_argument("--scroll-only", action="store_true", help="skip first paint and search")
    ap.add_argument("--home", type=Path, help="seed here once and reuse it on later runs")
    ap.add_argument("--seed-into", type=Path, help=argparse.SUPPRESS)  # seed_with()'s
    args = ap.parse_args()
    if args.seed_into is not None:
        print(seed(args.seed_into, args.edits))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        empty, big = Path(tmp) / "empty", Path(tmp) / "big"
        empty.mkdir()
        old_tree = None if args.no_baseline else baseline_tree(args.baseline,
                                                               Path(tmp) / "baseline")
        if args.home is not None and (args.home / "seeded").exists():
            big = args.home  # seeded by an earlier run with --home
            print(f"library: {big}")
        else:
            big = args.home or big
            big.mkdir(parents=True, exist_ok=True)
            # By the baseline's code when there is one: a schema both trees open.
            took = (seed_with(old_tree, big, args.edits) if old_tree is not None
                    else seed(big, args.edits))
            (big / "seeded").touch()
            print(f"seeded {args.edits} edits in {took:.1f} s")
        # The library as seeded stays the baseline's; this tree works on its own copy.
        base_home, big = big, own_copy(big, Path(tmp) / "this-tree-home")
        if not args.scroll_only:
            first_paint_and_search(empty, big, args)
        # Each run a fresh process over the same library, the trees interleaved so machine
        # noise hits both alike, and which goes first alternates from run to run (a pair's
        # second process finds the library in the page cache, the first may not). Every
        # first-visit run starts without stored thumbnails (child() removes them).
        trees = [("baseline", old_tree)] if old_tree is not None else []
        trees.append(("this tree", ROOT))
        homes = {"baseline": base_home, "this tree": big}
        fl: dict[str, list[dict]] = {n: [] for n, _ in trees}
        sl: dict[str, list[dict]] = {n: [] for n, _ in trees}
        bare: list[dict] = []
        for run in range(args.runs):
            order = trees if run % 2 == 0 else trees[::-1]
            for name, tree in order:
                r = child(homes[name], "scroll", tree)
                fl[name].append(r)
                print_phase(f"{name:10}", r, "fling")
            vw, vh, rh = fl["this tree"][-1]["viewport"]
            b = child(big, "bare", ROOT, args.edits, rh, vw, vh)
            bare.append(b)
            print_phase("bare Qt   ", b, "fling")
            for name, tree in order:
                r = child(homes[name], "slow", tree, args.slow_rows)
                sl[name].append(r)
                print_phase(f"{name:10}", r, "slow")
        print(f"fling, newest to oldest, a screenful ({vh} px) a frame at 60 frames/s; "
              f"median of {args.runs} (goal < 3 s of work, no stall > 50 ms):")
        for name, _ in trees:
            print("    " + summary(name, fl[name], "fling"))
        print("    " + summary("bare QTableView, text rows", bare, "fling"))
        new_cpu = statistics.median(r["fling"]["cpu_s"] for r in fl["this tree"])
        bare_cpu = statistics.median(r["fling"]["cpu_s"] for r in bare)
        print(f"    this tree / bare Qt: {new_cpu / bare_cpu:.1f}x the work of Qt's plain table")
        print("    this tree / bare Qt, run by run: " + ", ".join(
            f"{a['fling']['cpu_s'] / b['fling']['cpu_s']:.2f}"
            for a, b in zip(fl["this tree"], bare, strict=True)))
        if old_tree is not None:
            old_cpu = statistics.median(r["fling"]["cpu_s"] for r in fl["baseline"])
            print(f"    baseline / this tree: {old_cpu / new_cpu:.1f}x less work (run by run: "
                  + ", ".join(f"{a['fling']['cpu_s'] / b['fling']['cpu_s']:.2f}"
                              for a, b in zip(fl["baseline"], fl["this tree"], strict=True))
                  + "; which ran first alternates)")
        peak = max(r["peak_mb"] for r in fl["this tree"])
        cached = max(r["thumbs_cached"] for r in fl["this tree"])
        print(f"    this tree: peak RSS {peak:.0f} MB (goal < 300 MB), {cached} thumbnails cached")
        print(f"slow scroll, a wheel notch (72 px) a frame over the first {args.slow_rows} rows:")
        for name, _ in trees:
            print("    " + summary(name, sl[name], "slow"))
        if old_tree is not None:
            print("    baseline / this tree, run by run: " + ", ".join(
                f"{a['slow']['cpu_s'] / b['slow']['cpu_s']:.2f}"
                for a, b in zip(sl["baseline"], sl["this tree"], strict=True)))
        again = child(big, "scroll", ROOT, first_visit=False)  # thumbnails stored now
        print_phase("this tree, a second visit (small thumbnails stored)", again, "fling")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
