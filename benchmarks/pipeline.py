"""Benchmark: prepare_image on a 24-megapixel photo vs. the plain Pillow way of doing it.

Run: /work/venv/bin/python benchmarks/pipeline.py

It writes a 6000×4000 JPEG with photo-like detail (gradients + noise) to a temporary
folder, then measures in the same run:

- wall time of prepare_image (median of a few runs), and
- peak RSS of a fresh subprocess doing one prepare_image,

against a baseline: Image.open + convert("RGB") + thumbnail((3072, 3072)) + JPEG save to
bytes, which is what a straightforward implementation would do. The baseline is not a
full equivalent (no data URI, no size loop, no orientation/colour handling), so it is
the cost floor our extra care is compared with.
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qwen_studio.core.pipeline import prepare_image  # noqa: E402

WIDTH, HEIGHT = 6000, 4000
RUNS = 3

# Each snippet runs in its own interpreter and prints its peak RSS in KiB. It reads VmHWM
# from /proc because ru_maxrss survives exec on Linux and would report the parent's peak.
_RSS_SNIPPET = """
import io, sys
sys.path.insert(0, {repo!r})
from PIL import Image
from qwen_studio.core.pipeline import prepare_image
path = {path!r}
mode = {mode!r}
if mode == "pipeline":
    prepare_image(path)
elif mode == "baseline":
    im = Image.open(path).convert("RGB")
    im.thumbnail((3072, 3072))
    im.save(io.BytesIO(), "JPEG", quality=92)
with open("/proc/self/status") as f:
    print(next(line.split()[1] for line in f if line.startswith("VmHWM:")))
"""


def make_photo(path: Path) -> None:
    """Gradients plus grain: compresses like a real photo, not like a flat test card."""
    size = (WIDTH, HEIGHT)
    horizontal = Image.linear_gradient("L").rotate(90).resize(size)
    vertical = Image.linear_gradient("L").resize(size)
    radial = Image.radial_gradient("L").resize(size)
    channels = []
    for i, base in enumerate((horizontal, vertical, radial)):
        grain = Image.effect_noise(size, 18 + 6 * i)
        channels.append(ImageChops.add(ImageChops.multiply(base, grain), base, scale=1.6))
    Image.merge("RGB", channels).save(path, "JPEG", quality=90)


def baseline(path: Path) -> bytes:
    im = Image.open(path).convert("RGB")
    im.thumbnail((3072, 3072))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def median_seconds(fn: object, path: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn(path)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mib(path: Path, mode: str) -> float:
    code = _RSS_SNIPPET.format(repo=str(REPO), path=str(path), mode=mode)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="qwen-bench-") as tmp:
        photo = Path(tmp) / "photo-24mp.jpg"
        start = time.perf_counter()
        make_photo(photo)
        print(f"test photo: {WIDTH}×{HEIGHT} JPEG, {photo.stat().st_size / 1e6:.1f} MB "
              f"(made in {time.perf_counter() - start:.1f} s)")

        prepared = prepare_image(photo)
        print(f"prepare_image result: {prepared.width}×{prepared.height} {prepared.mime}, "
              f"data URI {len(prepared.data_uri) / 1e6:.1f} MB; notes: "
              f"{'; '.join(prepared.notes) or 'none'}")

        t_pipe = median_seconds(prepare_image, photo)
        t_base = median_seconds(baseline, photo)
        print(f"wall time, prepare_image (median of {RUNS}): {t_pipe:.2f} s")
        print(f"wall time, Pillow baseline (median of {RUNS}): {t_base:.2f} s")
        print(f"wall time ratio prepare_image / baseline: {t_pipe / t_base:.2f}")

        idle = peak_rss_mib(photo, "idle")
        rss_pipe = peak_rss_mib(photo, "pipeline")
        rss_base = peak_rss_mib(photo, "baseline")
        print(f"peak RSS, interpreter + imports only: {idle:.0f} MiB")
        print(f"peak RSS, prepare_image: {rss_pipe:.0f} MiB (+{rss_pipe - idle:.0f} MiB)")
        print(f"peak RSS, Pillow baseline: {rss_base:.0f} MiB (+{rss_base - idle:.0f} MiB)")
        print(f"peak RSS ratio prepare_image / baseline: {rss_pipe / rss_base:.2f} "
              f"(above imports: {(rss_pipe - idle) / max(rss_base - idle, 1):.2f})")


if __name__ == "__main__":
    main()
