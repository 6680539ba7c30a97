"""Qt glue without widgets: adapters that turn core's events into Qt signals, tasks."""
