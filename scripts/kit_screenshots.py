"""Make the designer's kit screenshots in docs/ from the real window (1400x900, dark):

    QT_QPA_PLATFORM=offscreen python scripts/kit_screenshots.py [--only library|spend]

* docs/kit-prompt-library.png — the prompt library popup (Ctrl+Space) open over the prompt
  box, after a few edits (so recent prompts are there);
* docs/kit-spend-meter.png — the spend meter in the status bar, estimates in the history
  rows and a batch's total on its row, with the batch queue showing what its budget skipped.

Runs the window against the in-process demo sandbox in a throwaway QWEN_STUDIO_HOME, as
scripts/screenshot.py does (whose landscape it reuses).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

if TYPE_CHECKING:
    from qwen_studio.ui.main_window import MainWindow

DOCS = ROOT / "docs"
PROMPTS = ("warm golden-hour light, soft haze over the hills",
           "replace the sky with a dramatic sunset")
BATCH_PROMPT = "put a small red sailing boat on the lake"


async def until(cond: Callable[[], object], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise SystemExit(f"timed out waiting for {cond}")
        await asyncio.sleep(0.05)


def photos(folder: Path, n: int) -> list[Path]:
    from PIL import Image, ImageEnhance
    from screenshot import make_photo

    folder.mkdir(parents=True, exist_ok=True)
    base = make_photo(folder / "lake-00.jpg")
    out = [base]
    for i in range(1, n):
        img = ImageEnhance.Brightness(Image.open(base)).enhance(0.8 + 0.1 * i)
        out.append(folder / f"lake-{i:02d}.jpg")
        img.save(out[-1], "JPEG", quality=90)
    return out


async def single_edits(window: MainWindow, photo: Path) -> None:
    window.add_inputs([photo])
    await until(lambda: window.inputs)
    for i, prompt in enumerate(PROMPTS, 1):
        window.params.count_spin.setValue(2 if i == 1 else 1)
        window.prompt_panel.prompt_edit.setPlainText(prompt)
        window.run_edit()
        await until(lambda i=i: sum(e.status == "done" for e in window.history_model.entries())
                    >= i)
    window.params.count_spin.setValue(1)


def save(window: MainWindow, target: Path, popup: object | None = None) -> Path:
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication, QWidget

    QApplication.processEvents()
    shot = window.grab()
    if isinstance(popup, QWidget) and popup.isVisible():
        # A popup is its own window: painted where it stands over the window, as on screen.
        painter = QPainter(shot)
        painter.drawPixmap(window.mapFromGlobal(popup.mapToGlobal(popup.rect().topLeft())),
                           popup.grab())
        painter.end()
    if not shot.save(str(target)):
        raise SystemExit(f"could not write {target}")
    print(f"wrote {target}")
    return target


async def library_shot(window: MainWindow) -> None:
    popup = window.prompt_library.popup
    edit = window.prompt_panel.prompt_edit
    edit.setPlainText("Keep the boat's colours; ")
    cursor = edit.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    edit.setTextCursor(cursor)
    edit.setFocus()
    window.prompt_library.actions[0].trigger()  # Ctrl+Space
    await until(lambda: popup.isVisible() and popup.proxy.rowCount() > 4)
    await asyncio.sleep(0.3)
    save(window, DOCS / "kit-prompt-library.png", popup)
    popup.hide()
    edit.clear()


async def spend_shot(window: MainWindow, folder: Path) -> None:
    from qwen_studio.core.editing.status import EditStatus

    batch = window.batch
    window.prompt_panel.prompt_edit.setPlainText(BATCH_PROMPT)
    await batch.add_folder(folder)
    await until(lambda: batch.panel.model.rowCount() == 4)
    await until(lambda: window.spend.prices.loaded)
    price = window.spend.prices.price(window.params.model())
    assert price is not None, "the demo model has a price in the catalog"
    batch.panel.budget_field.set_budget(round(price.amount * 3, 4))  # three of four fit
    window.run_button.click()
    await until(lambda: batch.controller.active)
    await until(lambda: not batch.controller.active, 60)
    await until(lambda: sum(j.status is EditStatus.SKIPPED for j in batch.controller.jobs()))
    model, panel = window.history_model, window.history_panel
    group = model.groups()[0]
    await until(lambda: group.spend)  # the batch's total, on its (closed) row
    window.add_inputs([folder / "lake-00.jpg"])
    await until(lambda: window.inputs)
    panel.select_row(model.row_of(model.entries()[-1]))  # the first single edit: 2 results
    await until(lambda: window.after_image() is not None)
    panel.list_view.scrollToTop()
    queue = batch.panel  # its last rows: the one the budget skipped is among them
    queue.view.scrollToBottom()
    await until(lambda: window.spend.meter.label.text().count("·") >= 2)  # today · month · batch
    window.statusBar().clearMessage()
    await asyncio.sleep(0.5)
    save(window, DOCS / "kit-spend-meter.png")


async def shoot(only: str) -> None:
    from qwen_studio.app import create_main_window

    window = create_main_window(demo=True, sandbox_latency=0.2)
    window.resize(1400, 900)
    window.show()
    # The history a little wider than on a first start, as a designer who reads it sets it.
    left, _centre, _right = window.splitter.sizes()
    window.splitter.setSizes([left, 1400 - left - 330, 330])
    home = Path(os.environ["QWEN_STUDIO_HOME"])
    lakes = photos(home / "lakes", 4)
    try:
        await single_edits(window, lakes[0])
        if only in ("", "library"):
            await library_shot(window)
        if only in ("", "spend"):
            window.clear_inputs()
            await spend_shot(window, home / "lakes")
    finally:
        await window.shutdown()
        window.close()


def main() -> int:
    global DOCS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("library", "spend"), default="")
    # The docs' shots are dark and English; the others are for looking the window over.
    parser.add_argument("--theme", choices=("dark", "light"), default="dark")
    parser.add_argument("--lang", choices=("en", "zh_CN"), default="en")
    parser.add_argument("--docs", type=Path, default=DOCS, help="the folder to write to")
    args = parser.parse_args()
    DOCS = args.docs
    os.environ["QWEN_STUDIO_THEME"] = args.theme
    with tempfile.TemporaryDirectory() as home:
        os.environ["QWEN_STUDIO_HOME"] = home
        import qasync
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
        app.setQuitOnLastWindowClosed(False)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        from qwen_studio import i18n

        i18n.install(app, language=args.lang)
        try:
            loop.run_until_complete(asyncio.wait_for(shoot(args.only), 120))
        finally:
            loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
