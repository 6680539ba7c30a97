"""Help ▸ Keyboard shortcuts lists the designer's kit keys: the prompt library's Ctrl+Space
and the keys that work inside it."""

from __future__ import annotations


def test_the_shortcuts_help_lists_the_prompt_library_keys(make_window):
    window = make_window()
    window.show_shortcuts()
    rows = dict(window.shortcuts_dialog.rows())
    library = next(what for keys, what in rows.items() if "Ctrl+Space" in keys.split(" / "))
    assert library == "Prompt library"
    assert rows["Enter"] == "Prompt library: insert the snippet at the cursor"
    assert rows["Shift+Enter"] == "Prompt library: replace the whole field with it"
