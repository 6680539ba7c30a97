"""Tell PySide6 up front which of our modules use it, so it does not read their source.

Once PySide6 is loaded, its `__feature__` import hook classifies every newly imported
module by reading the module's whole source (inspect.getsource, through linecache) and
looking for the word "PySide6": ~85 of our files before the first frame, ~8 ms of CPU, and
their text kept in linecache for good. It skips a module whose name is already in its
table, so `register_package()` enters ours the way the hook would classify them: -1
("ignore", no PySide) for the Qt-free layers the import contracts keep free of it (core,
cli, sandbox), 0 ("uses PySide, no feature selected") for the rest. Qwen Studio selects no
`__feature__` (snake_case, true_property), so 0 is every Qt module's entry anyway.

The table is PySide's internal `PySide6.support.feature.pyside_feature_dict` (6.4 to 6.11
at least); without it, nothing is registered and the hook works as before.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import PySide6.QtCore  # noqa: F401  # loads the support package and installs the hook

QT_FREE = ("core", "cli", "sandbox")  # import-linter: these never import PySide6


def register_package() -> int:
    """Enter every module of qwen_studio not yet in the table. Returns how many."""
    try:
        table = importlib.import_module("PySide6.support.feature").pyside_feature_dict
    except (ImportError, AttributeError):
        return 0
    if not isinstance(table, dict):
        return 0
    root = Path(__file__).resolve().parent.parent
    added = 0
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        parts = Path(folder).relative_to(root).parts
        flag = -1 if parts and parts[0] in QT_FREE else 0
        package = ".".join(("qwen_studio", *parts))
        for name in files:
            if not name.endswith(".py"):
                continue
            module = package if name == "__init__.py" else f"{package}.{name[:-3]}"
            if module not in table:
                table[module] = flag
                added += 1
    return added
