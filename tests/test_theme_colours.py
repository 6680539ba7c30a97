"""Painted and per-widget colours follow the theme: in light the banner, drop zone and history
rows are light with dark text, in dark they are dark with light text, a live switch reaches
a banner already on screen, and every text colour reads at >= 4.5:1 on its background."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from qwen_studio.core.request import EditRequest
from qwen_studio.ui import theme
from qwen_studio.ui.banner import Banner
from qwen_studio.ui.drop_zone import DropZone
from qwen_studio.ui.history_model import DONE, EntryRole, HeaderRole, HistoryEntry
from qwen_studio.ui.history_panel import HistoryDelegate

KINDS = ("error", "warning", "info")


@pytest.fixture
def scheme(qapp) -> Iterator[object]:
    """Switch the app's theme inside a test; the suite's default (dark) comes back after."""
    before = qapp.property("qwenStudioThemeChoice") or "dark"

    def use(name: str) -> None:
        assert theme.apply_theme(qapp, name) == name
        QApplication.processEvents()

    yield use
    theme.apply_theme(qapp, before)


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

    from qwen_studio.ui import banner as module

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

class _Rows(QAbstractListModel):
    """One history row with a day header; no thumbnails (the delegate asks the model)."""

    def __init__(self, entry: HistoryEntry) -> None:
        super().__init__()
        self.entry = entry

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        return {EntryRole: self.entry, HeaderRole: "Today"}.get(role)

    def thumbnail(self, path: object) -> None:
        return None


class _RecordingPainter(QPainter):
    """Remembers the pen of every text drawn, to check the colours the rows really use."""

    def __init__(self, device: QImage) -> None:
        super().__init__(device)
        self.texts: list[tuple[str, QColor]] = []

    def drawText(self, *args: object) -> None:
        self.texts.append((str(args[-1]), self.pen().color()))
        super().drawText(*args)


def paint_row(qapp, selected: bool = False) -> tuple[QImage, QRect, QColor, _RecordingPainter]:
    """The delegate's row painted on the list background: image, header rect, bg, painter."""
    entry = HistoryEntry(job_id=1, request=EditRequest(inputs=(), prompt="add snow"),
                         status=DONE, finished=None)
    model = _Rows(entry)
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
    painter = _RecordingPainter(image)
    delegate.paint(painter, option, model.index(0))
    painter.end()
    header = QRect(HistoryDelegate.PAD, 6, 320 - 2 * HistoryDelegate.PAD,
                   HistoryDelegate.HEADER - 8)
    return image, header, bg, painter


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
    pen = dict(painter.texts)["TODAY"]
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
    # Prompt, time and status ("✓ done in 0 s", green made darker) read on the row; the
    # star glyph is a control, dim on purpose until hovered.
    low = [f"{text!r} {pen.name()} {ratio(pen, row_bg):.2f}" for text, pen in painter.texts
           if text not in ("☆", "★", "TODAY") and ratio(pen, row_bg) < 4.5]
    assert not low, low
    assert any("done" in text for text, _ in painter.texts)
