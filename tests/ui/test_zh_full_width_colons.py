"""Chinese text joins its parts with the full-width "：" (no space), not English ": ".

The window joined a translated headline and its reason in code with ": " ("与 127.0.0.1 的
连接中断了: 回应还没收完就断开了"), as it did the mask tools' tooltips ("画笔: …"): the
join is now a translatable message (context "Punctuation", ui/punctuation.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from PySide6.QtWidgets import QWidget

from qwen_studio.core.client_errors import transport_error
from qwen_studio.core.errors import ErrorDetail, ModerationError, ServerError
from qwen_studio.ui.error_text import error_message

HALF_WIDTH = re.compile(r"[\u3400-\u9fff）][^\u3400-\u9fff]{0,12}: |: [\u3400-\u9fff]")
TS = Path(__file__).resolve().parents[2] / "qwen_studio/resources_data/i18n/qwen_studio_zh_CN.ts"


def _errors() -> list[BaseException]:
    cut = transport_error(httpx.ReadError(""), "http://127.0.0.1:8080/v1", download=False,
                          api_key="sk-x", read_timeout=120)
    return [
        cut,
        ServerError("The service had an internal error (HTTP 500)", detail=ErrorDetail(
            500, "InternalError", "An internal error has occured, please try again later")),
        ModerationError(detail=ErrorDetail(400, "DataInspectionFailed",
                                           "Input data may contain inappropriate")),
    ]


@pytest.mark.parametrize("index", range(3))
def test_service_errors_use_the_full_width_colon(chinese, index):
    shown = error_message(_errors()[index])
    assert "：" in shown and not HALF_WIDTH.search(shown), shown


def test_english_keeps_its_colon(qapp):
    shown = error_message(_errors()[1])
    assert shown == ("The service had an internal error (HTTP 500): An internal error has "
                     "occured, please try again later")


def test_mask_tool_tips_use_the_full_width_colon(chinese, qtbot):
    from qwen_studio.ui.compare.mask_layer import MaskLayer
    from qwen_studio.ui.compare.mask_tools import MaskController, MaskToolBar

    host = QWidget()
    qtbot.addWidget(host)
    bar = MaskToolBar(MaskController(MaskLayer(host), host), host)
    tips = [a.toolTip() for a in bar.actions()] + [w.toolTip() for w in bar.findChildren(QWidget)]
    joined = [t for t in tips if "：" in t]
    assert len(joined) >= 3, tips  # the eye, undo/redo and the sliders say "name：what"
    assert not [t for t in tips if HALF_WIDTH.search(t)], tips


def test_no_translation_puts_a_half_width_colon_after_chinese():
    bad = []
    for message in ET.parse(TS).getroot().iter("message"):
        text = message.findtext("translation") or ""
        if HALF_WIDTH.search(text.replace("://", "")):
            bad.append(text)
    assert not bad
