"""Widgets left in reference cycles are freed on the GUI thread, never by a busy worker."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading
import weakref

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from faxgui.ui.gui_gc import INTERVAL_MS

# A worker allocating as a SOAP parse does, while the GUI thread closes windows that refer to
# themselves (a slot holding its own window). Without the fix a collection started by the
# worker destroys those windows on its thread (seen three runs in three), which crashes the
# process when the GUI thread touches them at that moment (a segmentation fault).
SCRIPT = textwrap.dedent(
    """
    import gc, sys, threading, time, weakref
    import faxgui.ui
    from PySide6.QtWidgets import (
        QApplication, QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget,
    )
    from faxgui.ui.gui_gc import collect_on_gui_thread

    app = QApplication(["faxgui"])
    collect_on_gui_thread(app)
    sys.setswitchinterval(0.001)  # as the app runs
    gui = threading.get_ident()
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            [[n] for n in range(1000)]

    worker = threading.Thread(target=churn)
    worker.start()
    freed_on = set()
    shown = QWidget()
    shown.show()
    for _ in range(6):
        for _ in range(10):
            window = QWidget()
            layout = QVBoxLayout(window)
            for n in range(5):
                layout.addWidget(QLabel(f"line {n}"))
                layout.addWidget(QPushButton("OK"))
                layout.addWidget(QComboBox())
            window.me = window
            weakref.finalize(window, lambda: freed_on.add(threading.get_ident()))
            window.show()
            window.close()
            del window, layout
        end = time.monotonic() + 0.1
        while time.monotonic() < end:
            shown.update()
            app.processEvents()
    stop.set()
    worker.join()
    gc.collect()
    print(sorted("gui" if t == gui else "worker" for t in freed_on))
    """
)


def test_windows_in_cycles_are_freed_on_the_gui_thread_while_a_worker_allocates() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['gui']"


def test_a_closed_window_in_a_cycle_is_freed_by_the_gui_thread_soon(qtbot: QtBot) -> None:
    # The test run collects the way the app does (tests/conftest.py).
    assert not gc.isenabled()
    freed_on: list[int] = []
    window = QWidget()
    QVBoxLayout(window).addWidget(QLabel("Fax preview"))
    window.me = window  # type: ignore[attr-defined]
    weakref.finalize(window, lambda: freed_on.append(threading.get_ident()))
    del window
    held = [[] for _ in range(2 * gc.get_threshold()[0])]  # enough for a collection to be due
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5 * INTERVAL_MS)
    del held
    assert freed_on == [threading.get_ident()]
