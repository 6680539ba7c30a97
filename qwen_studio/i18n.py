"""UI language: which translation to load, and loading it.

Strings are marked in the code with `self.tr("…")` (QObject subclasses; context = class
name), `translate("Context", "…")` / `QCoreApplication.translate` elsewhere, and
`QT_TRANSLATE_NOOP("Context", "…")` for module constants translated where shown.
The CLI stays English.

Files (in `qwen_studio/resources_data/i18n/`):

- `qwen_studio_<lang>.ts` — the translation source, committed. Regenerate after changing
  UI strings with `python -m qwen_studio.i18n update` (runs pyside6-lupdate over
  qwen_studio/ui and keeps existing translations), then translate the new entries (Qt
  Linguist or any editor).
- `qwen_studio_<lang>.qm` — the compiled form, NOT committed: built by pyside6-lrelease
  (`python -m qwen_studio.i18n release`), which setup.py's build step runs when the tool is
  available and packaging/build.sh always runs before PyInstaller.

At run time the .qm is used when present; otherwise (a clean source checkout, or a wheel
built where lrelease was missing) the .ts itself is loaded by `TsTranslator`, a small
QTranslator that parses the XML. Either way the translation works without a build step;
the .qm only makes start-up a little cheaper.

Qt's own strings (standard dialog buttons, file dialogs) come from PySide6's
`qtbase_<lang>.qm` in QLibraryInfo's translations folder.

Choice of language: QWEN_STUDIO_LANG (`en`, `zh_CN`, `system`) overrides Settings ▸
Language (QSettings `ui/language`), whose default "system" follows the system locale
(any Chinese UI language → zh_CN, everything else → English). A change applies at the
next start: retranslating every live widget would need each one to rebuild its texts.
Tests never install a translator unless they ask, so they run in English on any machine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication, QSettings

SETTINGS_KEY = "ui/language"
ENV_LANG = "QWEN_STUDIO_LANG"
DEFAULT = "en"
# Code → name shown in the Settings combo (each in its own language, as users look for it).
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
TRANSLATED = ("zh_CN",)
I18N_DIR = Path(__file__).resolve().parent / "resources_data" / "i18n"

_installed: list[object] = []  # keep translators alive while installed
_generation = 0  # bumped whenever the installed translators change (see generation())


def generation() -> int:
    """How many times the translators changed: words made and kept under an older number
    are in another language (a history row keeps its status text by it)."""
    return _generation


def i18n_dir() -> Path:
    from qwen_studio.resources import resource_dir

    return resource_dir() / "i18n"


def normalise(code: str | None) -> str | None:
    """'zh-CN', 'zh_Hans_CN', 'zh' → 'zh_CN'; 'en_GB' → 'en'; 'system'/'' → None."""
    if not code:
        return None
    c = code.strip().replace("-", "_")
    low = c.lower()
    if low in ("system", "auto", ""):
        return None
    if low.startswith("zh"):
        return "zh_CN"
    return "en"


def system_language() -> str:
    from PySide6.QtCore import QLocale

    for ui in QLocale.system().uiLanguages():
        lang = normalise(ui)
        if lang:
            return lang
    return DEFAULT


def saved_choice(settings: QSettings | None) -> str:
    """"system", "en" or "zh_CN" as stored in Settings (what the combo shows)."""
    value = str(settings.value(SETTINGS_KEY, "system") or "system") if settings else "system"
    return value if value in ("system", *LANGUAGES) else "system"


def resolve(settings: QSettings | None = None) -> str:
    """The language to use now: the env override, else the saved choice, else the system."""
    env = normalise(os.environ.get(ENV_LANG))
    if env:
        return env
    choice = normalise(saved_choice(settings))
    return choice or system_language()


def _make_ts_translator():  # defined lazily so importing this module needs no Qt
    import xml.etree.ElementTree as ET

    from PySide6.QtCore import QTranslator

    class TsTranslator(QTranslator):
        """Serves translations straight from a Qt Linguist .ts file (no lrelease needed)."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.messages: dict[tuple[str, str], str] = {}
            root = ET.parse(path).getroot()
            for ctx in root.iter("context"):
                name = ctx.findtext("name") or ""
                for msg in ctx.iter("message"):
                    src = msg.findtext("source")
                    tr = msg.find("translation")
                    if src is None or tr is None:
                        continue
                    if tr.get("type") in ("unfinished", "obsolete", "vanished"):
                        continue
                    forms = [f.text or "" for f in tr.iter("numerusform")]
                    text = forms[0] if forms else (tr.text or "")
                    if text:
                        self.messages[(name, src)] = text

        def translate(self, context: str, source: str, disambiguation: str | None = None,
                      n: int = -1) -> str | None:  # type: ignore[override]
            text = self.messages.get((context, source))
            if text is not None and n >= 0:
                text = text.replace("%n", str(n))
            return text

        def isEmpty(self) -> bool:
            return not self.messages

    return TsTranslator


def load_app_translator(lang: str):
    """A QTranslator for Qwen Studio's strings in `lang`, or None (English / missing)."""
    if lang not in TRANSLATED:
        return None  # before the import: PySide builds each class named (start-up)
    from PySide6.QtCore import QTranslator

    folder = i18n_dir()
    qm = folder / f"qwen_studio_{lang}.qm"
    ts = folder / f"qwen_studio_{lang}.ts"
    if qm.is_file() and (not ts.is_file() or qm.stat().st_mtime >= ts.stat().st_mtime):
        tr = QTranslator()
        if tr.load(str(qm)):
            return tr
    if ts.is_file():
        return _make_ts_translator()(ts)
    return None


def load_qt_translator(lang: str):
    """Qt's own strings (dialog buttons…) from PySide6's translations folder."""
    if lang not in TRANSLATED:
        return None
    from PySide6.QtCore import QLibraryInfo, QTranslator

    tr = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return tr if tr.load(f"qtbase_{lang}", folder) else None


def install(app: QCoreApplication | None = None, settings: QSettings | None = None,
            language: str | None = None) -> str:
    """Install the translators for `language` (default: resolve(settings)); returns it.

    Replaces translators an earlier call installed. Also sets the default QLocale, so dates
    and numbers formatted through QLocale() match the UI language.
    """
    from PySide6.QtCore import QCoreApplication, QLocale

    app = app or QCoreApplication.instance()
    lang = normalise(language) or resolve(settings)
    uninstall(app)
    global _generation
    _generation += 1
    QLocale.setDefault(QLocale(lang if lang != "en" else "en_US"))
    if app is None:
        return lang
    for tr in (load_qt_translator(lang), load_app_translator(lang)):
        if tr is not None:
            app.installTranslator(tr)
            _installed.append(tr)
    return lang


def uninstall(app: QCoreApplication | None = None) -> None:
    """Remove what install() added (tests use this to get back to English)."""
    from PySide6.QtCore import QCoreApplication, QLocale

    global _generation
    _generation += 1
    app = app or QCoreApplication.instance()
    while _installed:
        tr = _installed.pop()
        if app is not None:
            app.removeTranslator(tr)  # type: ignore[arg-type]
    QLocale.setDefault(QLocale("en_US"))


# -- maintenance: `python -m qwen_studio.i18n update|release` --------------------------------
def _tool(name: str) -> str | None:
    """pyside6-lupdate / pyside6-lrelease beside this Python, else on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    import shutil

    return shutil.which(name)


def ui_sources() -> list[Path]:
    pkg = Path(__file__).resolve().parent
    return sorted([*(pkg / "ui").rglob("*.py"), *(pkg / "app").rglob("*.py")])


def update_ts() -> list[Path]:
    """Run pyside6-lupdate: add new source strings to every .ts, keep the translations."""
    import subprocess

    tool = _tool("pyside6-lupdate")
    if tool is None:
        raise SystemExit("pyside6-lupdate not found (pip install PySide6-Essentials)")
    out = []
    for lang in TRANSLATED:
        ts = I18N_DIR / f"qwen_studio_{lang}.ts"
        subprocess.run([tool, "-locations", "none", "-no-obsolete",
                        *map(str, ui_sources()), "-ts", str(ts)], check=True)
        out.append(ts)
    return out


def release(target: Path | None = None, *, required: bool = True) -> list[Path]:
    """Compile every .ts to .qm with pyside6-lrelease (into `target`, default beside them).
    With required=False a missing tool is not an error (the .ts fallback covers it)."""
    import subprocess

    tool = _tool("pyside6-lrelease")
    if tool is None:
        if required:
            raise SystemExit("pyside6-lrelease not found (pip install PySide6-Essentials)")
        return []
    target = target or I18N_DIR
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for ts in sorted(I18N_DIR.glob("qwen_studio_*.ts")):
        qm = target / (ts.stem + ".qm")
        subprocess.run([tool, "-silent", str(ts), "-qm", str(qm)], check=True)
        out.append(qm)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["update"]:
        for p in update_ts():
            print(f"updated {p}")
    elif args == ["release"]:
        for p in release():
            print(f"wrote {p}")
    else:
        print("usage: python -m qwen_studio.i18n update|release", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
