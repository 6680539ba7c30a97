"""Help ▸ About: version, links, and the licences of the bundled dependencies.

Licence names are read from each installed distribution's metadata (License-Expression,
License, or the classifiers), falling back to the known licence when the metadata says
nothing usable, so a frozen bundle without metadata still shows the right text.
"""

from __future__ import annotations

import html
from email.message import Message
from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

HOMEPAGE = "https://github.com/qwenstudio/qwen-studio"
QWEN_DOCS = "https://help.aliyun.com/zh/model-studio/qwen-image-edit"

_QT_LICENCE = "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"
# (distribution, what it is for, licence when the metadata has none)
DEPENDENCIES: tuple[tuple[str, str, str], ...] = (
    ("PySide6-Essentials",
     QT_TRANSLATE_NOOP("AboutDialog", "Qt for Python: the window, images, translations"),
     _QT_LICENCE),
    ("shiboken6", QT_TRANSLATE_NOOP("AboutDialog", "PySide6's binding runtime"), _QT_LICENCE),
    ("httpx", QT_TRANSLATE_NOOP("AboutDialog", "HTTP client"), "BSD-3-Clause"),
    ("qasync", QT_TRANSLATE_NOOP("AboutDialog", "asyncio on the Qt event loop"), "BSD-2-Clause"),
    ("Pillow", QT_TRANSLATE_NOOP("AboutDialog", "image decoding and encoding"), "MIT-CMU (HPND)"),
    ("platformdirs",
     QT_TRANSLATE_NOOP("AboutDialog", "where settings and the library live"), "MIT"),
    ("keyring", QT_TRANSLATE_NOOP("AboutDialog", "API keys in the system keychain"), "MIT"),
)


def licence_of(dist: str, fallback: str) -> tuple[str, str]:
    """(version, licence) from the installed metadata, else ("", fallback)."""
    try:
        meta: Message = metadata.metadata(dist)  # type: ignore[assignment]  # it is one
    except metadata.PackageNotFoundError:
        return "", fallback
    version = meta.get("Version", "") or ""
    expr = (meta.get("License-Expression") or "").strip()
    if expr:
        return version, expr
    lic = (meta.get("License") or "").strip()
    if lic and len(lic) < 80 and "\n" not in lic:
        return version, lic
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::") and c.split("::")[-1].strip() != "OSI Approved"]
    if classifiers:
        return version, " / ".join(classifiers)
    return version, fallback


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        from qwen_studio import __version__

        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About Qwen Studio"))
        self.setAccessibleName(self.tr("About Qwen Studio"))
        self.setAccessibleDescription(self.tr("Version, links and licences"))
        self.resize(560, 520)
        title = QLabel(f"<h2>Qwen Studio {html.escape(__version__)}</h2>")
        title.setObjectName("aboutTitle")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QTextBrowser(self)
        self.text.setObjectName("aboutText")
        self.text.setOpenExternalLinks(True)
        self.text.setAccessibleName(self.tr("About and licences"))
        self.text.setAccessibleDescription(
            self.tr("What Qwen Studio is, where to find it, and the licences of the software "
                    "it bundles"))
        self.text.setHtml(self.body())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        close.setAccessibleDescription(self.tr("Close the About window"))
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(self.text, 1)
        lay.addWidget(buttons)

    def body(self) -> str:
        e = html.escape
        rows = []
        for dist, what, fallback in DEPENDENCIES:
            version, lic = licence_of(dist, fallback)
            rows.append(f"<tr><td><b>{e(dist)}</b> {e(version)}</td><td>{e(self.tr(what))}</td>"
                        f"<td>{e(lic)}</td></tr>")
        qt_note = self.tr(
            "Qt and PySide6 are used under the GNU LGPL v3: they are loaded as separate shared "
            "libraries, which you may replace with your own builds. Their source is available "
            "from qt.io and download.qt.io.")
        intro = self.tr("Edit photos by describing the change, with Alibaba’s Qwen image models.")
        docs = self.tr("Qwen image editing on Alibaba Cloud Model Studio")
        # Each tr() stands on its own: lupdate does not look inside f-strings.
        ours = self.tr("Qwen Studio is released under the MIT licence.")
        bundled = self.tr("Bundled software")
        heads = (self.tr("Package"), self.tr("Used for"), self.tr("Licence"))
        python = self.tr("Python itself is under the PSF License.")
        head_row = "".join(f"<th align='left'>{e(h)}</th>" for h in heads)
        return (
            f"<p>{e(intro)}</p>"
            f"<p><a href='{HOMEPAGE}'>{e(HOMEPAGE)}</a><br>"
            f"<a href='{QWEN_DOCS}'>{e(docs)}</a></p>"
            f"<p>{e(ours)}</p>"
            f"<h3>{e(bundled)}</h3>"
            f"<table cellspacing='0' cellpadding='4'><tr>{head_row}</tr>{''.join(rows)}</table>"
            f"<p>{e(qt_note)}</p>"
            f"<p>{e(python)}</p>"
        )
