"""One status look: every EditStatus has an icon, a translated word and a readable colour."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwen_studio import i18n
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui import theme
from qwen_studio.ui.icons import status_icon
from qwen_studio.ui.theme.status import STATUS_LOOKS, status_look

TS = (Path(i18n.__file__).parent / "resources_data" / "i18n" / "qwen_studio_zh_CN.ts")


def test_every_status_has_a_look(qapp):  # pixmaps need a QGuiApplication (alone: abort)
    assert set(STATUS_LOOKS) == set(EditStatus)
    for status in EditStatus:
        look = status_look(status.value)  # the stored value works too
        assert look is STATUS_LOOKS[status]
        assert look.word
        shown = status_icon(status)  # the icon set's, named by the status, in its colour
        assert shown.name() == status.value and not shown.pixmap(16, 16).isNull()
    assert status_icon("from-a-newer-version").isNull()  # the word alone, no crash


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_status_colours_read_as_text_on_the_list_background(qapp, scheme):
    background = theme.colour("base", scheme)
    for status, look in STATUS_LOOKS.items():
        ratio = theme.contrast_ratio(look.colour(scheme), background)
        assert ratio >= 4.5, (status, scheme, round(ratio, 2))


def test_the_words_are_translated(qapp):
    tr = i18n._make_ts_translator()(TS)
    words = {s: tr.translate("StatusLook", look.word) for s, look in STATUS_LOOKS.items()}
    assert all(words.values()), words
    assert words[EditStatus.INTERRUPTED] == "已中断"
