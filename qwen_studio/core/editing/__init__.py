"""The one path every edit takes: queue -> prepare -> send -> download -> save -> record.

`EditService` (service.py) runs every edit, from the window (a single edit is a batch of
one) and from `qwen-studio batch`. Its state is observable data: `EditProgress` snapshots
(progress.py) with one `EditStatus` vocabulary (status.py). Words for them are made only
in the UI (and the CLI's own printer).
"""
