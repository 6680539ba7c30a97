"""Make docs/screenshot.png from a real demo edit, offscreen (no display needed).

    /work/venv/bin/python scripts/screenshot.py [output.png] [--theme dark|light] [--lang en|zh_CN]

    # the README's image and the two theme shots in docs/:
    scripts/screenshot.py
    scripts/screenshot.py docs/screenshot-dark.png --theme dark --lang zh_CN
    scripts/screenshot.py docs/screenshot-light.png --theme light --lang zh_CN

Runs the real window against the in-process sandbox in a throwaway QWEN_STUDIO_HOME.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_photo(path: Path, size: tuple[int, int] = (1200, 800)) -> Path:
    """A believable landscape: sky gradient, sun, layered hills, a lake."""
    from PIL import Image, ImageDraw, ImageFilter

    w, h = size
    img = Image.new("RGB", size)
    d = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        d.line([(0, y), (w, y)], fill=(int(250 - 120 * t), int(180 - 60 * t), int(120 + 90 * t)))
    d.ellipse([w * 0.62, h * 0.18, w * 0.74, h * 0.36], fill=(255, 236, 190))
    layers = [((70, 80, 120), 0.50, 40), ((50, 70, 90), 0.58, 60), ((35, 55, 60), 0.66, 30)]
    for color, base, amp in layers:
        pts = [(0, h)]
        for x in range(0, w + 20, 20):
            y = h * base + amp * math.sin(x / 97 + base * 10) + amp * 0.5 * math.sin(x / 31)
            pts.append((x, y))
        pts.append((w, h))
        d.polygon(pts, fill=color)
    d.rectangle([0, h * 0.78, w, h], fill=(60, 90, 120))
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    img.save(path, "JPEG", quality=92)
    return path


PROMPTS = {
    "en": ["warm golden-hour light, soft haze over the hills",
           "replace the sky with a dramatic sunset",
           "turn the scene into a watercolour painting with visible paper texture"],
    "zh_CN": ["暖色调的黄金时刻光线，山间笼罩一层薄雾",
              "把天空换成壮观的日落",
              "把画面变成水彩画，保留纸张纹理"],
}


async def shoot(out: Path, lang: str = "en", versions: bool = False) -> None:
    from PySide6.QtWidgets import QApplication

    from qwen_studio.app import create_main_window

    window = create_main_window(demo=True, sandbox_latency=0.3)
    window.resize(1400, 900)
    window.show()
    photo = make_photo(Path(os.environ["QWEN_STUDIO_HOME"]) / "lakeside.jpg")
    try:
        window.add_inputs([photo])
        while not window.inputs:
            await asyncio.sleep(0.02)
        prompts = PROMPTS.get(lang, PROMPTS["en"])
        for i, prompt in enumerate(prompts, 1):
            if i == len(prompts):
                # Continue from the sunset: the history shows the chain as a version tree.
                newest = window.history_model.entries()[0]
                while window.current_result() is None or (
                        window.current_result()[0] != newest.result_paths[0]):
                    await asyncio.sleep(0.05)  # the newest result is on the canvas
                window.use_result_as_input()
                while not (window.inputs and window.inputs[0].parent_edit_id is not None):
                    await asyncio.sleep(0.05)
            window.prompt_panel.prompt_edit.setPlainText(prompt)
            window.run_edit()
            while sum(e.status == "done" for e in window.history_model.entries()) < i:
                await asyncio.sleep(0.05)
        panel = window.history_panel
        panel.select_row(1)
        panel.star_action.trigger()  # a starred entry, as a designer marks keepers
        panel.select_row(0)
        while not panel.lineage.isVisible():
            await asyncio.sleep(0.05)
        while window.after_image() is None:
            await asyncio.sleep(0.05)
        if versions:  # View ▸ Versions: the chain as a graph of thumbnails
            window.versions.show()
            while len(window.versions.graph.nodes()) < 2 or len(
                    window.versions.graph._thumbs) < len(window.versions.graph.nodes()):
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        QApplication.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out)):
            raise SystemExit(f"could not write {out}")
        print(f"wrote {out}")
    finally:
        await window.shutdown()
        window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--theme", choices=("dark", "light"), default="dark")
    parser.add_argument("--lang", choices=("en", "zh_CN"), default="en")
    parser.add_argument("--versions", action="store_true", help="open the Versions dock")
    args = parser.parse_args()
    out = args.output
    os.environ["QWEN_STUDIO_THEME"] = args.theme  # honoured by qwen_studio.ui.theme
    with tempfile.TemporaryDirectory() as home:
        os.environ["QWEN_STUDIO_HOME"] = home
        import qasync
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
        app.setQuitOnLastWindowClosed(False)  # we stop the loop ourselves, after cleanup
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        from qwen_studio import i18n

        i18n.install(app, language=args.lang)
        try:
            loop.run_until_complete(asyncio.wait_for(shoot(out, args.lang, args.versions), 60))
        finally:
            loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
