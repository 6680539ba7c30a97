"""The batch queue: a view of one batch over the window's EditService.

look.py (surfaces, style sheet, status badges), model.py (BatchModel), panel.py
(BatchPanel), dock.py (BatchUi: the panel, actions and Run in the MainWindow)."""
