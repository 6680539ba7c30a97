"""Translations: the zh_CN .ts is complete and well-formed, loads with or without a .qm,
and the main window shows no untranslated text in zh_CN; English stays the default."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from _window_walk import CJK, demo_window, visible_texts
from PySide6.QtCore import QCoreApplication, QSettings, QTranslator

from qwen_studio import i18n

TS = i18n.I18N_DIR / "qwen_studio_zh_CN.ts"
# Proper names, keys, units and values that are the same in Chinese.
ALLOWED = {
    "Qwen Studio", "qwen-image-edit-plus", "qwen-image-edit", "qwen-image", "Ctrl+Enter",
    "Ctrl+V", "JPEG", "PNG", "×",
    "100 %", "1:1", "1", "…",
}


@pytest.fixture
def english(qapp):
    yield
    i18n.uninstall(qapp)


def messages() -> list[tuple[str, str, str]]:
    root = ET.parse(TS).getroot()
    out = []
    for ctx in root.iter("context"):
        for m in ctx.iter("message"):
            tr = m.find("translation")
            assert tr is not None
            out.append((ctx.findtext("name") or "", m.findtext("source") or "",
                        "" if tr.get("type") else (tr.text or "")))
    return out


def test_ts_is_complete_and_placeholders_match():
    msgs = messages()
    assert len(msgs) > 300
    problems = []
    for ctx, src, tr in msgs:
        if not tr:
            problems.append(f"{ctx}: untranslated {src!r}")
            continue
        if sorted(re.findall(r"\{\w+\}", src)) != sorted(re.findall(r"\{\w+\}", tr)):
            problems.append(f"{ctx}: placeholders differ in {src!r} -> {tr!r}")
        if re.search(r"&\w", src) and not re.search(r"&\w", tr):
            problems.append(f"{ctx}: lost the mnemonic in {src!r}")
    assert not problems, "\n".join(problems)


def test_every_marked_string_is_in_the_ts(tmp_path):
    """lupdate over the sources finds nothing the committed .ts lacks (run `python -m
    qwen_studio.i18n update` and translate, when this fails)."""
    tool = i18n._tool("pyside6-lupdate")
    if tool is None:
        pytest.skip("pyside6-lupdate is not installed")
    import shutil
    import subprocess

    copy = tmp_path / "copy.ts"
    shutil.copy(TS, copy)
    subprocess.run([tool, "-locations", "none", "-no-obsolete",
                    *map(str, i18n.ui_sources()), "-ts", str(copy)], check=True,
                   capture_output=True)
    new = {(c, s) for c, s, t in _read(copy) if not t}
    assert not new, f"strings missing from the .ts: {sorted(new)[:20]}"


def _read(path: Path):
    root = ET.parse(path).getroot()
    for ctx in root.iter("context"):
        for m in ctx.iter("message"):
            tr = m.find("translation")
            yield (ctx.findtext("name"), m.findtext("source"),
                   "" if tr is None or tr.get("type") else (tr.text or ""))


def test_ts_translator_serves_the_source_file(qapp, english):
    tr = i18n._make_ts_translator()(TS)
    assert tr.translate("PromptPanel", "Negative prompt") == "反向提示词"
    assert tr.translate("ParametersPanel", "Seed") == "种子"
    assert tr.translate("PromptPanel", "no such text") is None
    qapp.installTranslator(tr)
    try:
        assert QCoreApplication.translate("ParametersPanel", "Watermark") == "水印"
    finally:
        qapp.removeTranslator(tr)


def test_qm_builds_and_loads(tmp_path):
    if i18n._tool("pyside6-lrelease") is None:
        pytest.skip("pyside6-lrelease is not installed")
    (qm,) = i18n.release(tmp_path)
    tr = QTranslator()
    assert tr.load(str(qm))
    assert tr.translate("HistoryPanel", "History") == "历史记录"


def test_language_choice(monkeypatch, tmp_path):
    monkeypatch.delenv(i18n.ENV_LANG, raising=False)
    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    s.setValue(i18n.SETTINGS_KEY, "zh_CN")
    assert i18n.resolve(s) == "zh_CN"
    s.setValue(i18n.SETTINGS_KEY, "en")
    assert i18n.resolve(s) == "en"
    monkeypatch.setenv(i18n.ENV_LANG, "zh-CN")
    assert i18n.resolve(s) == "zh_CN"
    assert i18n.normalise("zh_Hans_CN") == "zh_CN"
    assert i18n.normalise("en_GB") == "en"
    assert i18n.normalise("system") is None


def test_main_window_is_chinese_in_zh_CN(qapp, qloop, monkeypatch, english):
    monkeypatch.setenv(i18n.ENV_LANG, "zh_CN")
    assert i18n.install(qapp) == "zh_CN"
    window = qloop.run(demo_window())
    try:
        untranslated = sorted({
            f"{where}: {text!r}" for where, text in visible_texts(window)
            if text.strip() and not CJK.search(text) and text.strip() not in ALLOWED
            and not re.fullmatch(r"[\d\s/%×.:,()+-]*", text)  # numbers, counts, sizes
            and not re.match(r"https?://", text)  # the endpoint's address
        })
        assert not untranslated, "\n".join(untranslated)
        # Qt's own strings come from qtbase_zh_CN.qm.
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    finally:
        window.close()
        qloop.run(window.shutdown())


def test_english_is_the_default_in_tests(qapp, qloop, monkeypatch):
    monkeypatch.delenv(i18n.ENV_LANG, raising=False)
    window = qloop.run(demo_window())
    try:
        assert window.run_button.text().startswith("Run")
        assert window.prompt_panel.prompt_edit.accessibleName() == "Prompt"
    finally:
        window.close()
        qloop.run(window.shutdown())


def test_service_errors_read_in_chinese_with_the_provider_words_kept(qapp, monkeypatch):
    from qwen_studio import i18n
    from qwen_studio.core.errors import ErrorDetail, ModerationError, RateLimitError
    from qwen_studio.ui.error_text import error_hint, error_message

    monkeypatch.setenv("QWEN_STUDIO_LANG", "zh_CN")
    i18n.install(qapp)
    try:
        flagged = ModerationError(detail=ErrorDetail(400, "DataInspectionFailed",
                                                     "Input data may contain inappropriate"))
        assert error_message(flagged) == "内容未通过审核：Input data may contain inappropriate"
        assert CJK.search(error_hint(flagged))
        custom = RateLimitError("Rate limited by the service (HTTP 429)")
        assert error_message(custom) == "服务限流 (HTTP 429)"
    finally:
        i18n.uninstall(qapp)


def test_settings_dialog_is_chinese_in_zh_CN(qapp, qtbot, monkeypatch, english):
    """The profile list, request styles, placeholders and the key button, not just labels."""
    from PySide6.QtWidgets import QComboBox

    from qwen_studio.core.config import ConfigStore
    from qwen_studio.ui.dialogs.settings_dialog import SettingsDialog

    monkeypatch.setenv(i18n.ENV_LANG, "zh_CN")
    assert i18n.install(qapp) == "zh_CN"
    dialog = SettingsDialog(ConfigStore())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_key.click()  # "Hide"
    texts = list(visible_texts(dialog))
    texts += [(f"{c.objectName()}[{i}]", c.itemText(i))
              for c in dialog.findChildren(QComboBox) for i in range(c.count())]
    texts.append(("model placeholder", dialog.model_combo.lineEdit().placeholderText()))
    # The key store's note comes from core (English there, as the CLI prints it).
    untranslated = sorted({
        f"{where}: {text!r}" for where, text in texts
        if text.strip() and not CJK.search(text) and text.strip() not in ALLOWED
        and text not in (dialog.key_note.text(), "sk-…", "English", "简体中文")
        and not re.match(r"https?://", text) and not text.startswith("qwen-image")  # models
    })
    assert not untranslated, "\n".join(untranslated)
    assert dialog.profile_combo.itemText(dialog.profile_combo.count() - 1) == "新建配置…"
    dialog.save()  # nothing filled in: the reason it was not saved, in Chinese
    assert dialog.status_label.text() == "未保存：请为配置命名。"  # the icon says "warning"
    note_icon = dialog.status_label.note_icon()
    assert note_icon is not None and note_icon.name() == "warning"
