"""The region-edit screenshots of the real window, offscreen, at 1400×900:
docs/region-mask-tools.png (a region painted with the brush on the "before" photo, the mask
tools and the feather under the compare toolbar) and docs/region-changes.png (the finished
region edit in the Changes mode: what changed, in red over the grey original).

    QT_QPA_PLATFORM=offscreen python scripts/region_screenshots.py [--theme dark|light]

Runs the real window against the in-process sandbox in a throwaway QWEN_STUDIO_HOME.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from screenshot import make_photo  # noqa: E402  (the README screenshot's landscape)


async def _until(cond: Callable[[], object], what: str, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def shoot(docs: Path) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from qwen_studio.app import create_main_window

    window = create_main_window(demo=True, sandbox_latency=0.3)
    window.resize(1400, 900)
    window.show()
    photo = make_photo(Path(os.environ["QWEN_STUDIO_HOME"]) / "lakeside.jpg")
    view, canvas = window.compare_view, window.compare_view.canvas
    try:
        await _until(lambda: window.has_client, "the demo sandbox")
        window.add_inputs([photo])
        await _until(lambda: window.inputs and canvas.has_before(), "the photo")
        await asyncio.sleep(0.3)
        QApplication.processEvents()

        def at(x: float, y: float) -> QPoint:  # image pixels -> canvas position
            r, size = canvas.before_image_rect(), canvas.before_size()
            assert r is not None and size is not None
            return QPointF(r.x() + x * r.width() / size.width(),
                           r.y() + y * r.height() / size.height()).toPoint()

        # The sun and the sky around it, painted with a 110 px brush in three strokes.
        view.region.toolbar.tool_actions["brush"].trigger()
        view.region.controller.set_size(110)
        for y in (170, 230, 290):
            QTest.mousePress(canvas, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier, at(700, y))
            for x in range(700, 940, 20):
                QTest.mouseMove(canvas, at(x, y))
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton,
                               Qt.KeyboardModifier.NoModifier, at(920, y))
        QTest.mouseMove(canvas, at(1000, 420))  # the brush circle beside the region
        view.region.feather_spin.setValue(24)
        await asyncio.sleep(0.2)
        QApplication.processEvents()
        window.grab().save(str(docs / "region-mask-tools.png"))
        print(f"wrote {docs / 'region-mask-tools.png'}")

        window.prompt_panel.prompt_edit.setPlainText("a pale full moon instead of the sun")
        window.run_edit()
        await _until(lambda: [e.status for e in window.history_model.entries()] == ["done"],
                     "the region edit")
        await _until(lambda: window.after_image() is not None, "the result")
        view.region.toolbar.tool_actions["brush"].trigger()  # tool off: the plain canvas
        view.set_mode("changes")
        await _until(lambda: view.changes.count is not None, "the changes heatmap")
        await asyncio.sleep(0.3)
        QApplication.processEvents()
        window.grab().save(str(docs / "region-changes.png"))
        print(f"wrote {docs / 'region-changes.png'}: {view.changes.caption()}")
    finally:
        await window.shutdown()
        window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=Path, default=ROOT / "docs")
    parser.add_argument("--theme", choices=("dark", "light"), default="dark")
    args = parser.parse_args()
    os.environ["QWEN_STUDIO_THEME"] = args.theme
    with tempfile.TemporaryDirectory() as home:
        os.environ["QWEN_STUDIO_HOME"] = home
        import qasync
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
        assert isinstance(app, QApplication)
        app.setQuitOnLastWindowClosed(False)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        from qwen_studio import i18n

        i18n.install(app, language="en")
        try:
            loop.run_until_complete(asyncio.wait_for(shoot(args.docs), 120))
        finally:
            loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
