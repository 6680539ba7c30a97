"""Render the application icon SVG to the PNG sizes (and a Windows .ico) that ship with the app.

    /work/venv/bin/python packaging/render_icons.py        # from the repository root

Uses QtSvg, so the PNGs look exactly like what Qt draws from the SVG at run time. The output
is committed; run this again after editing qwen_studio/resources_data/qwen-studio.svg.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "qwen_studio" / "resources_data"
SVG = DATA / "qwen-studio.svg"
ICONS = DATA / "icons"
SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # Windows picks per context (taskbar, Explorer)


def render(svg: Path, size: int):
    """The SVG drawn into a transparent size x size QImage (needs a QGuiApplication)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        out = ICONS / f"qwen-studio-{size}.png"
        if not render(SVG, size).save(str(out), "PNG"):
            print(f"could not write {out}", file=sys.stderr)
            return 1
        print(out.relative_to(ROOT))

    # The .ico is built by Pillow (a runtime dependency anyway) from Qt renders at each size,
    # so small sizes are rendered natively rather than downscaled from 256.
    import io

    from PIL import Image

    frames = []
    for size in ICO_SIZES:
        from PySide6.QtCore import QBuffer, QIODevice

        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        render(SVG, size).save(buf, "PNG")
        frames.append(Image.open(io.BytesIO(bytes(buf.data()))).convert("RGBA"))
    ico = ROOT / "packaging" / "qwen-studio.ico"
    frames[-1].save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                    append_images=frames[:-1])
    print(ico.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
