"""Render the designer's kit widgets for docs/: the prompt library popup over a prompt box,
and the spend meter in a status bar. Real widgets, real library, dark theme.

    QT_QPA_PLATFORM=offscreen python scripts/kit_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QWEN_STUDIO_HOME"] = tempfile.mkdtemp(prefix="qwen-kit-shots-")

from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QPlainTextEdit,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.library import Library
from qwen_studio.core.prompt_library import PromptLibrary, RecentPrompt
from qwen_studio.core.spend import Spend, SpendSummary, UnitPrice
from qwen_studio.ui import theme
from qwen_studio.ui.editor.prompt_library_popup import PromptLibraryPopup
from qwen_studio.ui.spend_meter import SpendMeter

DOCS = Path(__file__).resolve().parent.parent / "docs"


def popup_shot(app: QApplication) -> Path:
    host = QWidget()
    host.resize(720, 420)
    prompt = QPlainTextEdit()
    prompt.setPlainText("Keep the bottle's label. ")
    prompt.setMaximumHeight(90)
    lay = QVBoxLayout(host)
    lay.addWidget(prompt)
    lay.addStretch(1)
    host.show()
    with Library() as lib:
        pl = PromptLibrary(lib)
        pl.seed_starter("en")
        first = pl.snippets()[2]
        pl.set_starred(first.id, True)
        snippets = pl.snippets("prompt")
    popup = PromptLibraryPopup(host)
    popup.opened.connect(lambda kind: popup.set_entries(snippets, [
        RecentPrompt("make the sky stormy, keep the lighthouse", 0, 2),
        RecentPrompt("replace the text \"SALE\" with \"NEW\" keeping the font", 0, 1)]))
    cursor = prompt.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    prompt.setTextCursor(cursor)
    popup.open_for(prompt)
    popup.filter_edit.setText("the")
    app.processEvents()
    # A popup is its own window: paint host and popup into one picture, as on screen.
    shot = host.grab()
    painter = QPainter(shot)
    painter.drawPixmap(host.mapFromGlobal(popup.pos()), popup.grab())
    painter.end()
    target = DOCS / "kit-prompt-library.png"
    shot.save(str(target))
    popup.hide()
    host.close()
    return target


def spend_shot(app: QApplication) -> Path:
    window = QMainWindow()
    window.resize(760, 60)
    window.setCentralWidget(QWidget())
    bar = QStatusBar()
    window.setStatusBar(bar)
    bar.showMessage("Done: 6 of 6 · 41 s")
    meter = SpendMeter()
    bar.addPermanentWidget(meter)
    meter.set_summary(SpendSummary(Spend(8, 14, {"CNY": 2.8}), Spend(96, 171, {"CNY": 30.4,
                                                                             "USD": 0.42}),
                                   Spend(6, 12, {"CNY": 2.4})), budget=UnitPrice(5, "CNY"))
    window.show()
    app.processEvents()
    target = DOCS / "kit-spend-meter.png"
    window.grab().save(str(target))
    window.close()
    return target


def main() -> int:
    app = QApplication(sys.argv)
    theme.apply_theme(app, "dark")
    for made in (popup_shot(app), spend_shot(app)):
        print(made)
    return 0


if __name__ == "__main__":
    sys.exit(main())
