"""Peak memory of the window's batch queue: 50 vs 500 photos, same sandbox, same run.

Each size runs in a fresh process (the window offscreen, _gui_batch.py) against one sandbox
process. Memory must stay flat: the queue keeps thumbnails only (a bounded number), and the
prepared data URIs go as soon as a request is sent. Goal: peak RSS(500) <= 1.2 x peak RSS(50).

    /work/venv/bin/python benchmarks/batch_memory.py [--small 50] [--large 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import make_photos, sandbox_process
from _gui_batch import run_subprocess

KEY = "bench-key"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=50)
    ap.add_argument("--large", type=int, default=500)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--concurrency", type=int, default=8)
    # Camera-sized inputs, so holding full-resolution images would show.
    ap.add_argument("--size", default="3000x2000")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        photos = make_photos(root / "all", args.large, size=(w, h))
        small = root / "small"
        small.mkdir()
        for p in photos[: args.small]:
            os.link(p, small / p.name)
        results = {}
        with sandbox_process("--latency", str(args.latency), "--key", KEY) as base:
            for name, folder in (("small", small), ("large", root / "all")):
                env = dict(os.environ, QWEN_STUDIO_HOME=str(root / f"home-{name}"))
                results[name] = run_subprocess(base, folder, args.concurrency, KEY, env)
        s, lg = results["small"], results["large"]
        print(f"inputs {w}x{h} JPEG, concurrency {args.concurrency}, latency {args.latency} s")
        for r in (s, lg):
            print(f"{r['jobs']:4d} photos: peak RSS {r['peak_rss_mb']:.0f} MB, "
                  f"{r['done']} done in {r['elapsed_s']:.1f} s, "
                  f"{r['thumbnails_held']} thumbnails held")
        print(f"ratio {lg['jobs']}/{s['jobs']}: {lg['peak_rss_mb'] / s['peak_rss_mb']:.3f} "
              "(goal <= 1.2)")


if __name__ == "__main__":
    main()
