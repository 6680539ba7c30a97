"""Build hook only (all metadata is in pyproject.toml): compile the translations.

`build_py` runs pyside6-lrelease on qwen_studio/resources_data/i18n/*.ts when the tool is
on PATH or beside the building Python, so wheels and installs carry .qm files. In an
isolated build environment without PySide6 it skips quietly: the app then loads the .ts
itself (see qwen_studio/i18n.py), so the translation works either way.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

I18N = Path(__file__).resolve().parent / "qwen_studio" / "resources_data" / "i18n"


def _lrelease() -> str | None:
    here = Path(sys.executable).parent / "pyside6-lrelease"
    return str(here) if here.exists() else shutil.which("pyside6-lrelease")


class BuildWithTranslations(build_py):
    def run(self) -> None:
        tool = _lrelease()
        if tool is None:
            self.announce("pyside6-lrelease not found: shipping .ts only (loaded at run time)",
                          level=2)
        else:
            for ts in sorted(I18N.glob("qwen_studio_*.ts")):
                qm = ts.with_suffix(".qm")
                # Never fail an install over it: inside pip's isolated build the tool can
                # be found yet not run, and the app loads the .ts when no .qm is there.
                try:
                    done = subprocess.run([tool, "-silent", str(ts), "-qm", str(qm)],
                                          capture_output=True, timeout=120)
                    ok = done.returncode == 0
                except (OSError, subprocess.TimeoutExpired):
                    ok = False
                if not ok:
                    self.announce(f"pyside6-lrelease failed for {ts.name}: shipping the .ts"
                                  + (" and the .qm already built" if qm.exists() else ""),
                                  level=2)
        super().run()


setup(cmdclass={"build_py": BuildWithTranslations})
