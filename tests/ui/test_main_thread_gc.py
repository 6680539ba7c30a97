"""Cyclic garbage holding Qt objects is collected on the GUI thread, by our timer."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import ClassVar

from PySide6.QtCore import QObject

from qwen_studio.ui.main_thread_gc import MainThreadCollector


class _Probe(QObject):
    deleted_on: ClassVar[list[str]] = []

    def __del__(self) -> None:
        _Probe.deleted_on.append(threading.current_thread().name)


def test_cycles_with_qt_objects_die_on_the_gui_thread(qapp) -> None:
    collector = MainThreadCollector()
    collector.start()
    try:
        assert not gc.isenabled()  # no worker thread can trigger a collection now
        probe = _Probe()
        probe.cycle = probe  # only the cyclic collector can free it
        ref = weakref.ref(probe)
        del probe
        # A worker allocating heavily cannot collect it behind our back...
        worker = threading.Thread(target=lambda: [[] for _ in range(200_000)], name="worker")
        worker.start()
        worker.join()
        assert ref() is not None
        collector.collect()  # ...the GUI-thread tick does.
        assert ref() is None
        assert _Probe.deleted_on == [threading.current_thread().name]
    finally:
        collector.stop()
        gc.disable()  # the test session keeps collection on the main thread (conftest)
