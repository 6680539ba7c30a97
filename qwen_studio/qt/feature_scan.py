"""Tell PySide6 up front which modules use it, so it does not read their source.

Once PySide6 is loaded, its `__feature__` import hook classifies every module an import
statement names, the first time it sees the name, by reading the module's whole source
(inspect.getsource, through linecache) and looking for the word "PySide6": ~85 of our
files before the first frame, and ~25 big stdlib ones (typing, argparse, pathlib, logging,
dataclasses...) that were imported before PySide6 and are named again by our imports: ~10 ms
of CPU, and all that text kept in linecache for good. It skips a name already in its table,
so `register_modules()` enters them the way the hook would classify them: 0 ("uses PySide,
no feature selected") for our Qt layers and PySide6's own Python files, -1 ("ignore") for
the rest: our Qt-free layers (core, cli, sandbox: the import contracts keep PySide6
out of them) and whatever was imported before PySide6. Nothing in the process selects a
`__feature__` (snake_case, true_property), so every module would switch to the default set
anyway: the entries only spare the reading.

The table is PySide's internal `PySide6.support.feature.pyside_feature_dict` (checked with
6.11.3); without it, nothing is registered and the hook works as before.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import PySide6.QtCore  # noqa: F401  # loads the support package and installs the hook

QT_FREE = ("core", "cli", "sandbox")  # import-linter: these never import PySide6


def register_modules() -> int:
    """Enter every module of qwen_studio, and every module already imported, not yet in
    the table. Returns how many were entered."""
    try:
        table = importlib.import_module("PySide6.support.feature").pyside_feature_dict
    except (ImportError, AttributeError):
        return 0
    if not isinstance(table, dict):
        return 0
    added = 0
    for module, flag in _package_modules():
        if module not in table:
            table[module] = flag
            added += 1
    for name, module in list(sys.modules.items()):
        if name not in table:
            table[name] = loaded_flag(name, module)
            added += 1
    return added


_modules: list[tuple[str, int]] | None = None


def _package_modules() -> list[tuple[str, int]]:
    """(module name, flag) of every module file of qwen_studio, found once per process (a
    second register_modules, as the start-up benchmark's hook makes, walks nothing)."""
    global _modules
    if _modules is None:
        root = Path(__file__).resolve().parent.parent
        found: list[tuple[str, int]] = []
        for folder, subfolders, files in os.walk(root):
            # Only packages hold modules: not __pycache__, nor resources_data's icons.
            subfolders[:] = [d for d in subfolders
                             if os.path.isfile(os.path.join(folder, d, "__init__.py"))]
            parts = Path(folder).relative_to(root).parts
            flag = -1 if parts and parts[0] in QT_FREE else 0
            package = ".".join(("qwen_studio", *parts))
            found += [(package if name == "__init__.py" else f"{package}.{name[:-3]}", flag)
                      for name in files if name.endswith(".py")]
        _modules = found
    return _modules


def loaded_flag(name: str, module: object) -> int:
    """For a module imported before the hook: 0 for PySide6's Python files, -1 for the
    rest (a module without source, an extension or builtin, is -1 for the hook too). The
    hook would read the text to tell (its shiboken6 entry is -1, for one); the value only
    matters to a module that selects a `__feature__`, and none here does."""
    source = str(getattr(module, "__file__", None) or "")
    return 0 if name.partition(".")[0] == "PySide6" and source.endswith(".py") else -1
