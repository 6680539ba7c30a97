"""Settings shows its notes whole: with no keyring the key note wraps to two lines (three in
Chinese), and it was given one line's height, its second line under "Test connection"."""

from __future__ import annotations

import pytest
from keyring.backends import null
from PySide6.QtWidgets import QApplication, QLabel

WINDOW_LANGUAGES = ["en", "zh_CN"]


@pytest.mark.parametrize("language", WINDOW_LANGUAGES)
def test_every_wrapped_note_gets_the_height_its_lines_need(make_window, qtbot, qapp,
                                                            monkeypatch, language):
    import keyring

    from qwen_studio import i18n

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())  # no keyring: the long note about the key file
    monkeypatch.setenv(i18n.ENV_LANG, language)
    i18n.install(qapp)
    try:
        w = make_window()
        w.open_settings()
        dialog = w.settings_dialog
        qtbot.waitExposed(dialog)
        QApplication.processEvents()
        note = dialog.key_note
        assert note.isVisible() and note.heightForWidth(note.width()) > \
            note.fontMetrics().height() * 1.5  # it does wrap
        short = [(lab.objectName(), lab.text()[:40], lab.height(),
                  lab.heightForWidth(lab.width()))
                 for lab in dialog.findChildren(QLabel)
                 if lab.isVisible() and lab.wordWrap() and lab.text()
                 and lab.height() < lab.heightForWidth(lab.width())]
        assert not short, short
        below = dialog.test_button.mapTo(dialog, dialog.test_button.rect().topLeft()).y()
        assert note.mapTo(dialog, note.rect().bottomLeft()).y() < below
        dialog.close()
    finally:
        i18n.uninstall(qapp)
        keyring.set_keyring(previous)
