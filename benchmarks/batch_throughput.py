"""Batch throughput: `qwen-studio batch` vs a bare httpx asyncio loop, same sandbox, same run.

200 small photos, sandbox latency 0.5 s, concurrency 8 (issue 18: also --count 1000
--concurrency 16). The bare loop does the least any
client must do (read, base64, POST, download, write); the ratio is our overhead on top.
Goal (issue 18): batch/bare and window/bare <= 1.03 at 200/8 and at 1000/16.

    .venv/bin/python benchmarks/batch_throughput.py [--count 200] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import make_photos, sandbox_process
from _gui_batch import run_subprocess

KEY = "bench-key"
# A small result keeps the sandbox's rendering (one GIL) from being what both clients wait
# on, so the ratio shows the client's own overhead.
SIZE = "512*512"


RETRIES = {"bare": 0}  # transport errors the bare loop retried (printed with the figures)


async def _retrying(send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """A kept-alive connection the server has just closed fails the next request
    (httpx.ReadError / RemoteProtocolError); any client retries that, as ours does."""
    for attempt in range(3):
        try:
            return await send()
        except httpx.TransportError:
            if attempt == 2:
                raise
            RETRIES["bare"] += 1
    raise AssertionError("unreachable")


async def bare_httpx(base: str, photos: list[Path], out: Path, concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)
    out.mkdir(parents=True, exist_ok=True)
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(timeout=120) as http:

        async def one(path: Path) -> None:
            async with gate:
                uri = "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode()
                body = {
                    "model": "qwen-image-edit-plus",
                    "input": {"messages": [{"role": "user", "content": [
                        {"image": uri}, {"text": "studio backdrop"}]}]},
                    "parameters": {"size": SIZE},
                }
                r = await _retrying(lambda: http.post(
                    f"{base}/v1/images/generations", json=body, headers=headers))
                r.raise_for_status()
                url = r.json()["data"][0]["url"]
                img = await _retrying(lambda: http.get(url))
                img.raise_for_status()
                (out / f"{path.stem}-1.png").write_bytes(img.content)

        await asyncio.gather(*(one(p) for p in photos))


def studio_batch(base: str, folder: Path, out: Path, concurrency: int) -> None:
    from qwen_studio.__main__ import main

    with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
        code = main(["batch", str(folder), "--prompt", "studio backdrop", "--out", str(out),
                     "--endpoint", base, "--concurrency", str(concurrency), "--size", SIZE])
    if code != 0:
        raise SystemExit(f"batch failed with exit code {code}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.5)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    os.environ["QWEN_STUDIO_API_KEY"] = KEY
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["QWEN_STUDIO_HOME"] = str(root / "home")
        photos = make_photos(root / "photos", args.count)
        make_photos(root / "photos-warm", 8)
        ideal = args.count / args.concurrency * args.latency
        bare_times, studio_times, gui_times = [], [], []
        with sandbox_process("--latency", str(args.latency), "--key", KEY) as base:
            # Warm-up (imports, first connections) for both, not timed.
            asyncio.run(bare_httpx(base, photos[:8], root / "warm-bare", args.concurrency))
            studio_batch(base, root / "photos-warm", root / "warm-studio", args.concurrency)
            for r in range(args.rounds):
                t = time.perf_counter()
                asyncio.run(bare_httpx(base, photos, root / f"bare{r}", args.concurrency))
                bare_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                studio_batch(base, root / "photos", root / f"studio{r}", args.concurrency)
                studio_times.append(time.perf_counter() - t)
                # The window's queue, offscreen in its own process (Run → batch finished).
                env = dict(os.environ, QWEN_STUDIO_HOME=str(root / f"gui-home{r}"))
                gui = run_subprocess(base, root / "photos", args.concurrency, KEY, env, SIZE)
                gui_times.append(gui["elapsed_s"])
        bare, studio = statistics.median(bare_times), statistics.median(studio_times)
        print(f"images: {args.count}, latency {args.latency} s, concurrency {args.concurrency}, "
              f"ideal wall time {ideal:.1f} s")
        runs = ", ".join(f"{t:.2f}" for t in bare_times)
        print(f"bare httpx loop : {bare:.2f} s  (runs: {runs}; transport errors retried: "
              f"{RETRIES['bare']})")
        print(f"qwen-studio batch: {studio:.2f} s  (runs: "
              f"{', '.join(f'{t:.2f}' for t in studio_times)})")
        print(f"ratio batch/bare: {studio / bare:.3f}  (goal <= 1.03)")
        gui_med = statistics.median(gui_times)
        print(f"window queue    : {gui_med:.2f} s  (runs: "
              f"{', '.join(f'{t:.2f}' for t in gui_times)})")
        print(f"ratio window/bare: {gui_med / bare:.3f}  (goal <= 1.03)")
        # The machine's speed drifts between rounds (shared host): each round's own ratios.
        print("ratios within each round (batch/bare, window/bare): " + ", ".join(
            f"{s / b:.3f}/{g / b:.3f}" for b, s, g in zip(bare_times, studio_times, gui_times,
                                                          strict=True)))


if __name__ == "__main__":
    main()
