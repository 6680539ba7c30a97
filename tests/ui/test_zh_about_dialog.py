"""Help ▸ About in Chinese: every sentence and heading of its text is translated.

Six of them (the licence line, "Bundled software", the table's headings, Python's licence)
were written as self.tr('…') inside f-strings, where lupdate does not look, so the zh_CN
catalogue never had them and the Chinese About window showed them in English."""

from __future__ import annotations

ENGLISH_ONLY = ("Qwen Studio is released under the MIT licence.", "Bundled software",
                "Package", "Used for", "Licence", "Python itself is under the PSF License.")


def test_the_about_text_is_all_chinese(chinese, qtbot) -> None:
    from qwen_studio.ui.dialogs.about_dialog import AboutDialog

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    left = [s for s in ENGLISH_ONLY if s in text]
    assert not left, left
    assert "MIT" in text and "PSF" in text  # the licences' names stay as they are
