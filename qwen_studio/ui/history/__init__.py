"""The history list: every edit in the library, newest first, with a live overlay for the
edits running now. model.py holds the rows, panel.py the sidebar widget, lineage_view.py
the version tree of the selected edit."""
