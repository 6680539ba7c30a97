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
* floor+caches: the same floor program, PySide6 imported as our entry point does with the
           two start-up caches that spare work the floor does at every start, warm (the
           warm-up launch wrote them): PySide's support code kept (qt/support_code.py) and
           re's compiles before the frame kept (core/regex_code.py). The like-for-like
           floor: `studio/floor+caches` leaves out what those caches save any PySide app.
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
before its first frame, not asyncio. Like an installed app's second start, the measured
launches find the caches a start writes beside the bytecode (the warm-up launch wrote them):
among them the compiled code of PySide's own support modules (qt/support_code.py) and the
regular expressions compiled before the frame (core/regex_code.py), which the floor, a bare
PySide app, compiles at every start (~17 + ~13 ms of its CPU): hence `floor+caches`,
whose ratios are printed beside the goal's `studio/floor`.

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

# The child programs (source text, run with `python -c`): benchmarks/_startup_children.py.
from _startup_children import BARE, FLOOR, FLOOR_CACHES, PHASES, QT, STUDIO, WIDGETS

REPO = Path(__file__).resolve().parent.parent
KINDS = {"bare": (BARE, []), "qt": (QT, []), "floor": (FLOOR, []),
         "floor+caches": (FLOOR_CACHES, []), "widgets": (WIDGETS, []),
         "studio": (STUDIO, []), "everyday": (STUDIO, []),
         "profile": (STUDIO, []), "demo": (STUDIO, ["--demo"]), "saved": (STUDIO, []),
         "phases": (PHASES, [])}
KINDS_STUDIO = list(KINDS).index("studio")  # the kinds from "studio" on are Qwen Studio's
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
    """(step, CPU ms) of one configured launch of `tree` (see PHASES)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QWEN_STUDIO_HOME=str(home),
               PYTHONPYCACHEPREFIX=str(pycache), PYTHONPATH=str(tree), **_PROFILE_ENV)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run([sys.executable, "-c", PHASES], env=env, cwd=tree,
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
    print(f"  floor+caches/floor {ratio('floor+caches', 'floor'):.2f}, CPU at paint "
          f"{ratio('floor+caches', 'floor', 2):.2f} (what the two caches save a bare PySide app)")
    print("  per kind: /floor = against the goal's floor, which compiles PySide's support code "
          "and its regexes at every start; /floor+caches = against that floor with our two "
          "caches for them, warm (like-for-like)")
    for kind in kinds[KINDS_STUDIO:]:
        print(f"  {kind}/floor {ratio(kind, 'floor'):.2f} (goal <= 1.35), CPU at paint "
              f"{ratio(kind, 'floor', 2):.2f}; {kind}/bare {ratio(kind, 'bare'):.2f}; "
              f"{kind}/qt {ratio(kind, 'qt'):.2f}; {kind}/widgets {ratio(kind, 'widgets'):.2f}"
              f" (CPU {ratio(kind, 'widgets', 2):.2f})")
        print(f"  {' ' * len(kind)}/floor+caches {ratio(kind, 'floor+caches'):.2f}, CPU at paint "
              f"{ratio(kind, 'floor+caches', 2):.2f}")
    if args.before is not None:
        for kind in ("profile", "demo", "saved"):
            print(f"  {kind} after/before: frame {ratio(kind, kind + '@before'):.2f}, "
                  f"CPU at paint {ratio(kind, kind + '@before', 2):.2f}")


if __name__ == "__main__":
    main()
