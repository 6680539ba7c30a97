"""A long prompt is laid out from its start only (row_text.Prompt), and shows exactly as
the whole text laid out would: the same two lines, the same break, the same elision."""

from __future__ import annotations

import pytest

from qwen_studio.ui.history.row_text import Prompt, RowFonts

_TEXT = ("sky sunset watercolour portrait studio backdrop remove background golden hour "
         "海边 夕阳 水彩 averyveryverylongwordthatdoesnotfitonalineatall iiiiiiiiiiii WWWWWW "
         "把背景换成海边夕阳并且加上水彩风格的效果")
_WORDS = _TEXT.split(" ")


def _whole(text: str, fonts: RowFonts, width: int) -> Prompt:
    """The prompt laid out from its whole text (no cut)."""
    p = Prompt.__new__(Prompt)
    p.text = text
    assert p._lay_out(text, fonts, width)
    return p


def _seen(p: Prompt) -> tuple[object, ...]:
    lines = tuple((line.textStart(), line.textLength(), dy) for line, dy in p.lines)
    return p.shown, lines, tuple((st.text(), y) for st, y in p.statics)


def _prompts() -> list[str]:
    out = []
    for i in range(40):
        ws = [_WORDS[(i * k + 3) % len(_WORDS)] for k in range(1, 6 + 3 * i)]
        out.append(" ".join(ws) + f" #{i}")
    out += ["夕阳" * (20 + 15 * i) for i in range(5)]
    out += ["i" * (60 + 90 * i) for i in range(5)] + ["word " * (20 + 25 * i) for i in range(5)]
    return out


@pytest.mark.parametrize("width", [90, 144, 229, 316])
def test_a_cut_prompt_shows_as_the_whole_text_does(qapp, width: int):
    fonts = RowFonts(qapp.font())
    cut = 0
    for text in _prompts():
        prompt = Prompt(text, fonts, width)
        assert _seen(prompt) == _seen(_whole(text, fonts, width)), text
        cut += prompt.layout is not None and len(prompt.layout.text()) < len(text)
    assert cut > 10  # the long ones were cut (the cases above are not all fallbacks)


def test_a_very_long_prompt_is_not_shaped_whole(qapp):
    fonts = RowFonts(qapp.font())
    text = " ".join(_WORDS * 60)  # ~5,000 characters
    prompt = Prompt(text, fonts, 144)
    assert prompt.layout is not None and len(prompt.layout.text()) < 300
    assert _seen(prompt) == _seen(_whole(text, fonts, 144))
