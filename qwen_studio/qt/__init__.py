"""Qt glue without widgets: adapters, watchers and tasks that hand work between the thread
pool and the GUI thread."""
