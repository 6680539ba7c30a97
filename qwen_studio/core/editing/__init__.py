"""The one path every edit takes: queue -> prepare -> send -> download -> save -> record.

`EditService` (service.py) runs every edit, from the window (a single edit is a batch of
one) and from `qwen-studio batch`. Its state is observable data: `EditProgress` snapshots
(progress.py) with one `EditStatus` vocabulary (status.py). Words for them are made only
in the UI (ui/progress_text.py) and the CLI's own printer (cli/batch.py).

- queue.py: EditQueue, bounded AIMD concurrency; publishes EditProgress for every change.
- edit_flow.py: EditFlow, one edit's way through the service (the queue's edit function);
  prepare_ahead.py: the next queued edits' inputs prepared before their turn;
  library_writes.py: the edits' status writes, in order on the database thread.
- runner.py: EditRunner, one edit from request to result bytes (no storage).
- recorder.py: EditRecorder, the only code that writes an edit to the library
  (NullRecorder: process-local ids; BestEffortRecorder: the CLI's convenience record).
- sinks.py: where results go (LibrarySink for the window, FolderSink for the CLI) and the
  resume skip check.
- batches.py: batch ids, interrupted-batch summaries, the inputs a resumed edit sends.
"""
