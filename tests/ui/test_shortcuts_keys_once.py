"""Help ▸ Keyboard shortcuts names each key once: Run's two keys, Ctrl+Return and
Ctrl+Enter, both read "Ctrl+回车" in Chinese, and the row said "Ctrl+回车 / Ctrl+回车".
Nor does it show Chinese menus' mnemonics: "打开图片(O)" is "打开图片" in a list of keys."""

from __future__ import annotations

import re

from qwen_studio.ui.dialogs.shortcuts import collect


def test_no_row_repeats_a_key_in_chinese(chinese, make_window):
    rows = collect(make_window())
    run = [keys for keys, _what in rows if "回车" in keys and "Ctrl" in keys]
    assert run and run[0] == "Ctrl+回车", rows
    for keys, what in rows:
        parts = keys.split(" / ")
        assert len(parts) == len(set(parts)), (keys, what)
        assert not re.search(r"\([A-Z]\)", what), (keys, what)


def test_english_keeps_both_names_of_the_run_key(make_window):
    keys = [k for k, _what in collect(make_window()) if "Return" in k]
    assert keys == ["Ctrl+Return / Ctrl+Enter"]
