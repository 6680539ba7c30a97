"""Qt glue without widgets: task running, adapters between core and the widgets, watchers
(the library's data_version), and calls handed between the thread pool and the GUI thread.

May import core and PySide6.QtCore; never ui or app (import-linter layers in pyproject)."""
