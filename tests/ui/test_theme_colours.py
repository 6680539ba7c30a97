"""Painted and per-widget colours follow the theme: in light the banner, drop zone and history
rows are light with dark text, in dark they are dark with light text, a live switch reaches
a banner already on screen, and every text colour reads at >= 4.5:1 on its background."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QStyleOptionViewItem, QWidget
from window_helpers import OneRowModel, RecordingPainter, icon_ink, until

from qwen_studio.core.request import EditRequest
from qwen_studio.ui import theme
from qwen_studio.ui.compare.result_strip import ResultStrip
from qwen_studio.ui.editor.drop_zone import DropZone
from qwen_studio.ui.editor.prompt_panel import PromptPanel
from qwen_studio.ui.history.delegate import HistoryDelegate
from qwen_studio.ui.history.model import DONE, HistoryEntry
from qwen_studio.ui.notices.banner import Banner

KINDS = ("error", "warning", "info")


def ratio(a: str | QColor, b: str | QColor) -> float:
    return theme.contrast_ratio(QColor(a), QColor(b))


# -- tokens ------------------------------------------------------------------------------------

def test_both_schemes_define_the_same_tokens():
    assert set(theme.DARK) == set(theme.LIGHT)


@pytest.mark.parametrize("name", ["dark", "light"])
def test_text_tokens_are_readable_on_their_backgrounds(name: str):
    t = theme.tokens(name)
    pairs = [("banner_text", f"{k}_bg") for k in KINDS]
    pairs += [("banner_hint", f"{k}_bg") for k in KINDS]
    pairs += [(f"{k}_fg", bg) for k in KINDS for bg in ("base", "window")]
    pairs += [("subtle", "list"), ("subtle", "base"), ("faint", "window"), ("muted", "base"),
              ("row_selected_text", "row_selected"), ("text", "undo_bg")]
    # Welcome panel (on the canvas area), prompt counters and Settings notes (on the window),
    # the compare toolbar's zoom and sizes (canvas area), the result strip's numbers.
    pairs += [("text", "canvas_area"), ("muted", "canvas_area"), ("over_fg", "window"),
              ("ok_fg", "window"), ("subtle", "window"), ("muted", "window"),
              ("toolbar_note", "canvas_area"), ("strip_text", "strip_bg"),
              ("strip_text", "strip_hover"), ("strip_selected_text", "strip_selected")]
    low = [f"{fg} on {bg}: {ratio(t[fg], t[bg]):.2f}" for fg, bg in pairs
           if ratio(t[fg], t[bg]) < 4.5]
    assert not low, low


def test_readable_darkens_on_light_and_keeps_what_already_reads():
    green = QColor("#7cc48a")  # the history's "done" colour, chosen for dark rows
    white, black = QColor("#fbfbfb"), QColor("#1f1f1f")
    assert ratio(green, white) < 3
    fixed = theme.readable(green, white)
    assert ratio(fixed, white) >= 4.5
    assert fixed.hslHue() == pytest.approx(green.hslHue(), abs=3)  # still green
    assert theme.readable(green, black) == green


# -- banner ------------------------------------------------------------------------------------

def banner_background(banner: Banner) -> QColor:
    image = banner.grab().toImage()
    return image.pixelColor(4, image.height() // 2)  # inside the 1 px border, off the icon


@pytest.mark.parametrize("kind", KINDS)
def test_banner_is_light_with_dark_text_in_light_theme(qtbot, scheme, kind: str):
    scheme("light")
    banner = Banner()
    qtbot.addWidget(banner)
    banner.resize(640, 64)
    banner.show_message(kind, "Something to say", "What to do next", "Act")
    bg = banner_background(banner)
    assert bg.lightness() > 200, bg.name()
    assert bg == QColor(theme.LIGHT[f"{kind}_bg"])
    text = banner._title.palette().color(QPalette.ColorRole.WindowText)
    hint = banner._hint.palette().color(QPalette.ColorRole.WindowText)
    assert ratio(text, bg) >= 4.5 and ratio(hint, bg) >= 4.5, (text.name(), hint.name())
    # Colour is the second channel: the kind's word is still there.
    assert {"error": "Error", "warning": "Warning", "info": "Note"}[kind] in banner.message()


def test_banner_on_screen_follows_a_live_theme_switch(qtbot, scheme):
    scheme("dark")
    banner = Banner()
    qtbot.addWidget(banner)
    banner.resize(640, 64)
    banner.show_message("warning", "Rate limited", "Retrying")
    dark_bg = banner_background(banner)
    assert dark_bg.lightness() < 90, dark_bg.name()
    scheme("light")
    light_bg = banner_background(banner)
    assert light_bg == QColor(theme.LIGHT["warning_bg"])
    text = banner._title.palette().color(QPalette.ColorRole.WindowText)
    assert text.lightness() < 80 and ratio(text, light_bg) >= 4.5
    scheme("dark")
    assert banner_background(banner) == dark_bg


def test_banner_does_not_build_qaccessible_or_pixmap_enums_at_import():
    """Start-up: those enums cost ~10 ms and the banner is usually hidden."""
    import ast
    import inspect

    from qwen_studio.ui.notices import banner as module

    tree = ast.parse(inspect.getsource(module))
    top = [n for n in tree.body if not isinstance(n, ast.ClassDef | ast.FunctionDef)]
    names = {a.attr for n in top for a in ast.walk(n) if isinstance(a, ast.Attribute)}
    names |= {a.name for n in top if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not names & {"StandardPixmap", "QAccessible", "QAccessibleEvent"}


# -- drop zone ---------------------------------------------------------------------------------

def test_drop_zone_note_and_thumbnails_follow_the_theme(qtbot, scheme):
    scheme("light")
    zone = DropZone()
    qtbot.addWidget(zone)
    zone.resize(300, 200)
    zone.show()
    zone.set_inputs([("photo.jpg", None)])  # a thumbnail still loading
    zone.set_message("notes.txt: not an image", "error")
    base = QColor(theme.LIGHT["base"])
    note = zone.message_label.palette().color(QPalette.ColorRole.WindowText)
    assert note == QColor(theme.LIGHT["error_fg"]) and ratio(note, base) >= 4.5
    assert "Not added" in zone.message()  # the word, not just the red
    image = zone.grab().toImage()
    assert image.pixelColor(zone.width() - 20, zone.height() // 2).lightness() > 200
    thumb = zone.findChild(object, "inputThumb0")
    assert thumb.grab().toImage().pixelColor(10, 40).lightness() > 180  # not the dark tile

    scheme("dark")  # live: the note and the zone turn with the theme
    note = zone.message_label.palette().color(QPalette.ColorRole.WindowText)
    assert note == QColor(theme.DARK["error_fg"])
    image = zone.grab().toImage()
    assert image.pixelColor(zone.width() - 20, zone.height() // 2).lightness() < 60
    zone.set_message("2 images kept", "warning")
    assert zone.message_label.palette().color(QPalette.ColorRole.WindowText) \
        == QColor(theme.DARK["warning_fg"])


# -- history rows ------------------------------------------------------------------------------

def paint_row(qapp, selected: bool = False) -> tuple[QImage, QRect, QColor, RecordingPainter]:
    """The delegate's row painted on the list background: image, header rect, bg, painter."""
    entry = HistoryEntry(edit_id=1, request=EditRequest(inputs=(), prompt="add snow"),
                         status=DONE, finished=None)
    model = OneRowModel(entry, "Today")
    delegate = HistoryDelegate()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 320, 100)
    option.font = qapp.font()
    option.palette = qapp.palette()
    option.state = QStyle.StateFlag.State_Enabled | (
        QStyle.StateFlag.State_Selected if selected else QStyle.StateFlag(0))
    bg = theme.colour("list")
    image = QImage(320, 100, QImage.Format.Format_RGB32)
    image.fill(bg)
    painter = RecordingPainter(image)
    delegate.paint(painter, option, model.index(0))
    painter.end()
    return image, delegate.header_rect(option.rect), bg, painter


def extreme_pixel(image: QImage, rect: QRect, darkest: bool) -> QColor:
    pixels = [image.pixelColor(x, y) for x in range(rect.left(), rect.right())
              for y in range(rect.top(), rect.bottom())]
    return (min if darkest else max)(pixels, key=lambda c: c.lightness())


@pytest.mark.parametrize("name", ["light", "dark"])
def test_history_day_header_reads_in_both_themes(qapp, scheme, name: str):
    scheme(name)
    image, header, bg, painter = paint_row(qapp)
    # The header's rule runs to the right edge in the scheme's own colour.
    rule = image.pixelColor(header.right() - 4, header.center().y())
    assert rule == QColor(theme.tokens(name)["rule"])
    if name == "light":
        assert rule != QColor(theme.DARK["rule"])  # not the dark theme's near-black line
    pen = dict(painter.drawn)["TODAY"]
    assert ratio(pen, bg) >= 4.5, pen.name()
    if name == "light":
        assert pen != QColor(theme.DARK["subtle"])  # not the dark theme's grey
    # And on screen: the word's strongest pixel stands out from the list background.
    ink = extreme_pixel(image, QRect(header.left(), header.top(), 40, header.height()),
                        darkest=name == "light")
    assert ratio(ink, bg) >= 4.5, (ink.name(), bg.name())


@pytest.mark.parametrize("selected", [False, True])
def test_history_row_texts_read_in_light(qapp, scheme, selected: bool):
    scheme("light")
    image, _header, bg, painter = paint_row(qapp, selected=selected)
    row_bg = image.pixelColor(160, 95)  # below the text, inside the row
    if selected:
        assert row_bg == QColor(theme.LIGHT["row_selected"]) and row_bg.lightness() > 180
    else:
        assert row_bg == bg
    # Prompt, time and status ("done in 0 s" beside its icon, green made darker) read on
    # the row; no glyph stands in for an icon.
    low = [f"{text!r} {pen.name()} {ratio(pen, row_bg):.2f}" for text, pen in painter.drawn
           if text != "TODAY" and ratio(pen, row_bg) < 4.5]
    assert not low, low
    assert any("done" in text for text in painter.texts)


# -- welcome panel -----------------------------------------------------------------------------

def on_screen(window: QWidget, widget: QWidget) -> QImage:
    """What `widget` looks like inside the window (with the backgrounds behind it)."""
    return window.grab(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())).toImage()


def ink(image: QImage, rect: QRect, bg: QColor) -> QColor:
    """The pixel in `rect` that stands out most from `bg`: the text's own colour."""
    pixels = [image.pixelColor(x, y) for x in range(rect.left(), rect.right())
              for y in range(rect.top(), rect.bottom())]
    return max(pixels, key=lambda c: ratio(c, bg))


def test_first_run_welcome_reads_in_light_and_follows_a_live_switch(scheme, make_window,
                                                                    qloop):
    """The first thing a new user sees: the title must not be near-white on light grey."""
    scheme("light")
    window = make_window()  # nothing configured: the welcome panel
    welcome = window.welcome
    assert window.canvas_stack.currentWidget() is welcome
    qloop.run(until(welcome.isVisible, 5, "the welcome panel on screen"))
    # The whole explanation shows (a centred word-wrapped label used to be cut after two
    # lines).
    assert welcome.body.height() >= welcome.body.heightForWidth(welcome.body.width())

    def look() -> tuple[QColor, QColor, QColor]:
        image = on_screen(window, welcome)
        bg = image.pixelColor(6, 6)
        title = welcome.title.geometry()
        body = welcome.body.geometry()
        return bg, ink(image, title, bg), ink(image, body, bg)

    bg, title, body = look()
    assert bg.lightness() > 180, bg.name()
    assert ratio(title, bg) >= 4.5 and title.lightness() < 80, (title.name(), bg.name())
    assert ratio(body, bg) >= 4.5, (body.name(), bg.name())
    assert welcome.title.palette().color(QPalette.ColorRole.WindowText) \
        == QColor(theme.LIGHT["text"])

    scheme("dark")  # Settings ▸ Theme, with the panel on screen
    bg, title, body = look()
    assert bg.lightness() < 60, bg.name()
    assert title.lightness() > 180 and ratio(title, bg) >= 4.5, title.name()
    assert ratio(body, bg) >= 4.5


def test_restyled_widgets_keep_no_style_sheet_of_their_own(make_window):
    """Each widget style sheet is parsed at start-up and its literal colours miss a theme
    switch: these take every colour from the app's sheet."""
    window = make_window()
    widgets = [window.welcome, window.compare_view.strip,
               window.compare_view.findChild(QWidget, "compareToolbar"),
               window.prompt_panel.prompt_count.label, window.prompt_panel.negative_count.label]
    assert all(w is not None and w.styleSheet() == "" for w in widgets)


# -- prompt counters ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["light", "dark"])
def test_prompt_counter_reads_and_warns_in_both_themes(qtbot, scheme, name: str):
    scheme(name)
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.show()
    counter = panel.prompt_count
    window = QColor(theme.tokens(name)["window"])

    def colour() -> QColor:
        return counter.label.palette().color(QPalette.ColorRole.WindowText)

    panel.prompt_edit.setPlainText("add snow")
    assert counter.label.text() == f"8 / {counter.limit}"
    assert colour() == QColor(theme.tokens(name)["faint"]) and ratio(colour(), window) >= 4.5

    panel.prompt_edit.setPlainText("x" * (counter.limit + 5))
    assert counter.over and "remove 5" in counter.label.text()  # words, not colour alone
    assert colour() == QColor(theme.tokens(name)["over_fg"]) and ratio(colour(), window) >= 4.5
    assert counter.label.font().bold()

    panel.prompt_edit.setPlainText("short again")
    assert not counter.over and colour() == QColor(theme.tokens(name)["faint"])


def test_prompt_counter_over_the_limit_follows_a_live_switch(qtbot, scheme):
    scheme("dark")
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.negative_edit.setPlainText("n" * 600)
    label = panel.negative_count.label
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor(theme.DARK["over_fg"])
    scheme("light")
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor(theme.LIGHT["over_fg"])


def test_prompt_counter_draws_its_warning_icon_only_when_needed(qtbot):
    """Start-up: the icon's pixmap (~3 ms) is made the first time a prompt is too long."""
    panel = PromptPanel()
    qtbot.addWidget(panel)
    icon = panel.prompt_count.findChild(QLabel, None)
    counter = panel.prompt_count
    icons = [w for w in counter.findChildren(QLabel) if w is not counter.label]
    assert icon is not None and len(icons) == 1
    assert icons[0].pixmap().isNull() and icons[0].isHidden()
    panel.prompt_edit.setPlainText("x" * (panel.prompt_count.limit + 1))
    assert not icons[0].pixmap().isNull() and not icons[0].isHidden()


# -- result strip ------------------------------------------------------------------------------

def results(n: int) -> list[QImage]:
    images = []
    for i in range(n):
        image = QImage(320, 200, QImage.Format.Format_RGB32)
        image.fill(QColor.fromHsv(i * 90, 160, 200))
        images.append(image)
    return images


@pytest.mark.parametrize("name", ["light", "dark"])
def test_result_strip_matches_the_theme(qtbot, scheme, name: str):
    scheme(name)
    strip = ResultStrip()
    qtbot.addWidget(strip)
    strip.resize(400, strip.height())
    strip.set_images(results(3))
    strip.show()
    QApplication.processEvents()
    t = theme.tokens(name)
    image = strip.grab().toImage()
    bg = image.pixelColor(strip.width() - 10, strip.height() // 2)  # right of the items
    assert bg == QColor(t["strip_bg"]), bg.name()
    # The numbers under the thumbnails, and the picked one's, read on their backgrounds.
    text = strip.palette().color(QPalette.ColorRole.Text)
    assert text == QColor(t["strip_text"]) and ratio(text, bg) >= 4.5
    rect = strip.visualItemRect(strip.item(0))
    picked = QRect(strip.viewport().mapTo(strip, rect.topLeft()), rect.size())
    label = QRect(picked.left(), picked.bottom() - 18, picked.width(), 16)
    picked_bg = image.pixelColor(picked.left() + 3, picked.top() + 30)  # beside the thumbnail
    assert picked_bg == QColor(t["strip_selected"]), picked_bg.name()
    number = ink(image, label, picked_bg)
    assert ratio(number, picked_bg) >= 4.5, (number.name(), picked_bg.name())


def test_result_strip_follows_a_live_switch(qtbot, scheme):
    scheme("dark")
    strip = ResultStrip()
    qtbot.addWidget(strip)
    strip.resize(400, strip.height())
    strip.set_images(results(2))
    strip.show()
    scheme("light")
    image = strip.grab().toImage()
    assert image.pixelColor(strip.width() - 10, strip.height() // 2) \
        == QColor(theme.LIGHT["strip_bg"])


# -- settings: key note and Test connection ----------------------------------------------------

def test_settings_test_result_is_coloured_by_outcome_and_theme(qtbot, qloop, scheme):
    from qwen_studio.core.config import ConfigStore
    from qwen_studio.core.errors import AuthError
    from qwen_studio.ui.dialogs.settings_dialog import SettingsDialog

    scheme("light")
    answers: list[str | Exception] = ["Connected to example.com; the key was accepted"]

    async def tester(_endpoint: object) -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    dialog = SettingsDialog(ConfigStore(), tester)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.url_edit.setText("https://example.com")
    dialog.key_edit.setText("sk-test")
    window = QColor(theme.LIGHT["window"])

    def colour(label: QLabel) -> QColor:
        return label.palette().color(QPalette.ColorRole.WindowText)

    assert colour(dialog.key_note) == QColor(theme.LIGHT["subtle"])
    assert ratio(colour(dialog.key_note), window) >= 4.5

    def icon_name() -> str:
        note_icon = dialog.test_result.note_icon()
        return note_icon.name() if note_icon is not None else ""

    async def test() -> str:
        dialog.test_button.click()
        await until(lambda: icon_name() in ("done", "failed"), 5)
        return dialog.test_result.text()

    # The words and the icon say the outcome; both are in the outcome's colour.
    assert qloop.run(test()).startswith("Connected") and icon_name() == "done"
    ok = colour(dialog.test_result)
    assert ok == QColor(theme.LIGHT["ok_fg"]) and ratio(ok, window) >= 4.5
    assert icon_ink(dialog.test_result.note_icon()) == ok

    answers.append(AuthError())
    assert qloop.run(test()).startswith("Failed: The API key was refused")
    assert icon_name() == "failed"
    failed = colour(dialog.test_result)
    assert failed == QColor(theme.LIGHT["error_fg"]) and ratio(failed, window) >= 4.5
    assert icon_ink(dialog.test_result.note_icon()) == failed

    # A success, then a URL the dialog refuses itself: red, not the last test's green.
    answers.append("Connected")
    qloop.run(test())
    dialog.url_edit.setText("ftp://example.com")
    dialog.test_button.click()
    assert dialog.test_result.text().startswith("Failed") and icon_name() == "failed"
    assert colour(dialog.test_result) == QColor(theme.LIGHT["error_fg"])

    scheme("dark")  # live, with the dialog open
    assert colour(dialog.test_result) == QColor(theme.DARK["error_fg"])
    assert icon_ink(dialog.test_result.note_icon()) == QColor(theme.DARK["error_fg"])
    assert colour(dialog.key_note) == QColor(theme.DARK["subtle"])


# -- compare toolbar ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["light", "dark"])
def test_compare_toolbar_zoom_and_sizes_read_on_the_canvas_area(qtbot, scheme, name: str):
    """They were the palette's placeholder grey: under 3:1 in light."""
    from qwen_studio.ui.compare.compare_view import CompareView

    scheme(name)
    view = CompareView()
    qtbot.addWidget(view)
    view.show()
    area = QColor(theme.tokens(name)["canvas_area"])  # what the window puts behind it
    for label in (view.zoom_label, view.sizes_label):
        fg = label.palette().color(QPalette.ColorRole.WindowText)
        assert fg == QColor(theme.tokens(name)["toolbar_note"]) and ratio(fg, area) >= 4.5


@pytest.mark.parametrize("name", ["light", "dark"])
def test_history_table_has_the_list_background_and_frame(qtbot, scheme, name: str):
    """The history is a QTableView now (fixed rows for 10,000 edits): it keeps the list's
    background and frame the theme gives list views, below the rows as well."""
    from qwen_studio.ui.history.delegate import HistoryListView

    scheme(name)
    view = HistoryListView()
    view.setObjectName("historyList")
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the frame, not the focus ring
    qtbot.addWidget(view)
    view.resize(240, 200)
    view.show()
    QApplication.processEvents()
    t = theme.tokens(name)
    image = view.grab().toImage()
    assert image.pixelColor(120, 100) == QColor(t["list"]), image.pixelColor(120, 100).name()
    assert image.pixelColor(120, 0) == QColor(t["frame"]), image.pixelColor(120, 0).name()
