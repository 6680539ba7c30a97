"""Qt glue without widgets: task running, adapters between core and the widgets, watchers.

May import core and PySide6.QtCore; never ui or app (import-linter layers in pyproject)."""
