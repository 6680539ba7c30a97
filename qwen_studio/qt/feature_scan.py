"""Tell PySide6 which modules use it, so it does not read their source.

Once PySide6 is loaded, its `__feature__` import hook classifies every module an import
statement names, the first time it sees the name, by reading the module's whole source
(inspect.getsource, through linecache) and looking for the word "PySide6": ~85 of our
files before the first frame, and ~25 big stdlib ones (typing, argparse, pathlib, logging,
dataclasses...) that were imported before PySide6 and are named again by our imports: ~10 ms
of CPU, and all that text kept in linecache for good. It skips a name already in its table,
so `register_modules()` enters the modules already imported, and a finder first on
sys.meta_path enters each module of qwen_studio as the import system looks for it, before
the hook asks (~1 ms less than walking the package's folders for every module up front).
The entries are what the hook would find: 0 ("uses PySide, no feature selected") for our Qt
layers and PySide6's own Python files, -1 ("ignore") for the rest: our Qt-free layers
(core, cli, sandbox: the import contracts keep PySide6 out of them) and whatever was
imported before PySide6. Nothing in the process selects a `__feature__` (snake_case,
true_property), so every module would switch to the default set anyway: the entries only
spare the reading.

The table is PySide's internal `PySide6.support.feature.pyside_feature_dict` (checked with
6.11.3); without it, nothing is registered and the hook works as before.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import ClassVar

import PySide6.QtCore  # noqa: F401  # loads the support package and installs the hook

PACKAGE = "qwen_studio"
QT_FREE = ("core", "cli", "sandbox")  # import-linter: these never import PySide6


def package_flag(name: str) -> int:
    """The entry of one of our modules: -1 in a Qt-free layer, else 0."""
    layer = name.split(".", 2)[1:2]
    return -1 if layer and layer[0] in QT_FREE else 0


class _EnterOurs:
    """First on sys.meta_path: enters each module of the package in the table as it is
    looked for (so before the hook, which asks once the import is done), and finds
    nothing itself."""

    table: ClassVar[dict[str, int]] = {}

    @classmethod
    def find_spec(cls, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> None:
        if (name == PACKAGE or name.startswith(PACKAGE + ".")) and name not in cls.table:
            cls.table[name] = package_flag(name)


def register_modules() -> int:
    """Enter every module already imported not yet in the table, and from now on each
    module of qwen_studio as it is imported. Returns how many were entered now."""
    try:
        table = importlib.import_module("PySide6.support.feature").pyside_feature_dict
    except (ImportError, AttributeError):
        return 0
    if not isinstance(table, dict):
        return 0
    added = 0
    for name, module in list(sys.modules.items()):
        if name not in table:
            ours = name == PACKAGE or name.startswith(PACKAGE + ".")
            table[name] = package_flag(name) if ours else loaded_flag(name, module)
            added += 1
    _EnterOurs.table = table
    if _EnterOurs not in sys.meta_path:
        sys.meta_path.insert(0, _EnterOurs)
    return added


def loaded_flag(name: str, module: object) -> int:
    """For a module imported before the hook: 0 for PySide6's Python files, -1 for the
    rest (a module without source, an extension or builtin, is -1 for the hook too). The
    hook would read the text to tell (its shiboken6 entry is -1, for one); the value only
    matters to a module that selects a `__feature__`, and none here does."""
    source = str(getattr(module, "__file__", None) or "")
    return 0 if name.partition(".")[0] == "PySide6" and source.endswith(".py") else -1
