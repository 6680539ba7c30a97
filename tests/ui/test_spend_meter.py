"""The status bar's spend meter: today, this month, the batch against its budget, in words."""

from __future__ import annotations

from qwen_studio.core.spend import Spend, SpendSummary, UnitPrice
from qwen_studio.ui.spend_meter import SpendMeter


def spend(images: int, **amounts: float) -> Spend:
    return Spend(edits=images, images=images, amounts=dict(amounts))


def test_shows_today_month_and_batch_with_the_budget(qtbot):
    meter = SpendMeter()
    qtbot.addWidget(meter)
    assert meter.label.text() == "Today $0.00 · This month $0.00"
    meter.set_summary(SpendSummary(spend(2, CNY=0.4), spend(9, CNY=1.8, USD=0.035),
                                   spend(2, CNY=0.4)), budget=UnitPrice(1.0, "CNY"))
    assert meter.label.text() == ("Today ¥0.40 · This month ¥1.80 + $0.035 · "
                                  "Batch ¥0.40 of ¥1.00")
    assert "Failed edits cost nothing" in meter.toolTip()
    assert "This month: 9 images, ¥1.80 + $0.035" in meter.toolTip()
    assert not meter._icon.isVisibleTo(meter)


def test_a_batch_at_its_budget_says_so_in_words_and_icon(qtbot):
    meter = SpendMeter()
    qtbot.addWidget(meter)
    unpriced = Spend(edits=3, images=3, unpriced_images=3)
    meter.set_summary(SpendSummary(unpriced, unpriced, spend(5, USD=0.75)),
                      budget=UnitPrice(0.75, "USD"))
    assert meter.label.text().endswith("Batch $0.75 of $0.75 — budget reached")
    assert meter.label.text().startswith("Today 3 unpriced images · ")
    assert meter._icon.isVisibleTo(meter)
    assert meter.label.property("countOver") is True


def test_the_meter_and_the_popup_speak_chinese(qtbot, qapp, monkeypatch):
    from qwen_studio import i18n
    from qwen_studio.ui.editor.prompt_library_popup import PromptLibraryPopup

    monkeypatch.setenv(i18n.ENV_LANG, "zh_CN")
    assert i18n.install(qapp) == "zh_CN"
    try:
        meter = SpendMeter()
        qtbot.addWidget(meter)
        meter.set_summary(SpendSummary(spend(2, CNY=0.4), spend(2, CNY=0.4)))
        assert meter.label.text() == "今天 ¥0.40 · 本月 ¥0.40"
        popup = PromptLibraryPopup()
        qtbot.addWidget(popup)
        assert popup.save_button.text() == "将当前内容存为片段"
        assert popup.filter_edit.placeholderText() == "输入以筛选片段和最近的提示词"
    finally:
        i18n.uninstall(qapp)


def test_the_budget_icon_is_whole_in_the_styled_status_bar(qtbot, qapp):
    """The theme pads status-bar labels; the 14 px warning icon must not lose half to it."""
    from PySide6.QtWidgets import QMainWindow, QWidget

    from qwen_studio.ui import theme

    before = qapp.property("qwenStudioThemeChoice") or "dark"
    theme.apply_theme(qapp, "dark")
    try:
        window = QMainWindow()
        qtbot.addWidget(window)
        window.setCentralWidget(QWidget())
        meter = SpendMeter()
        window.statusBar().addPermanentWidget(meter)
        window.show()
        meter.set_summary(SpendSummary(spend(1, USD=0.5), spend(1, USD=0.5),
                                       spend(1, USD=0.5)), budget=UnitPrice(0.5, "USD"))
        qtbot.waitUntil(lambda: meter._icon.isVisible())
        assert meter._icon.contentsRect().size() == meter._icon.pixmap().size()
    finally:
        theme.apply_theme(qapp, before)
