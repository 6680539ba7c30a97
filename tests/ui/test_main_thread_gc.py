"""Cyclic garbage holding Qt objects is collected on the GUI thread, by our timer."""

from __future__ import annotations

import gc
import sys
import threading
import types
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


def test_refreeze_moves_what_new_modules_hold_out_of_later_passes(qapp) -> None:
    # app.main freezes start-up's objects; what modules imported later hold (the post-paint
    # build, the warmed edit service) is frozen too once a tick passes without imports.
    collector = MainThreadCollector(refreeze=True)
    collector.start()
    name = "_qwen_studio_refreeze_probe"
    try:
        module = types.ModuleType(name)
        module.table = [[i] for i in range(1000)]  # type: ignore[attr-defined]
        sys.modules[name] = module  # "imported" during this tick
        collector.collect()
        assert collector.freezes == 0  # imports may still be under way
        collector.collect()  # a tick without imports: frozen
        assert collector.freezes == 1
        table = module.table  # type: ignore[attr-defined]
        assert not any(obj is table for obj in gc.get_objects(generation=2))
        collector.collect()
        assert collector.freezes == 1  # nothing new was imported: no more freezes
    finally:
        collector.stop()
        sys.modules.pop(name, None)
        gc.unfreeze()
        gc.disable()


def test_a_freeze_asked_for_moves_what_is_alive_out_of_later_passes(qapp) -> None:
    # The history's rows (10,000 edits: a 40-60 ms full pass) ask for this as pages load.
    from qwen_studio.ui import main_thread_gc

    main_thread_gc.freeze_after_next_pass()  # no collector running: nothing to ask
    collector = MainThreadCollector()
    assert not collector.freeze_wanted
    collector.start()
    try:
        table = [[i] for i in range(1000)]
        collector.collect()
        assert collector.freezes == 0  # not asked: the table stays in the passes
        assert any(obj is table for obj in gc.get_objects(generation=2))
        main_thread_gc.freeze_after_next_pass()
        collector.collect()
        assert collector.freezes == 1
        assert not any(obj is table for obj in gc.get_objects(generation=2))
        collector.collect()
        assert collector.freezes == 1  # once per request
    finally:
        collector.stop()
        gc.unfreeze()
        gc.disable()
    main_thread_gc.freeze_after_next_pass()  # stopped: no longer asked
    assert not collector.freeze_wanted
