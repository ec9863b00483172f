"""A long session's worth of signals cannot crash the app through PySide6's emit() leak."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def test_many_emits_do_not_kill_the_process():
    # In a fresh interpreter (so this test cannot disturb others): far more emits than
    # True's natural reference count would survive, then a clean exit.
    script = textwrap.dedent(
        """
        import sys
        import faxgui.ui  # applies the fix
        from PySide6.QtCore import QObject, Signal

        class Ticker(QObject):
            tick = Signal(int)

        ticker = Ticker()
        start = sys.getrefcount(True)
        for n in range(200_000):
            ticker.tick.emit(n)
        print(start - sys.getrefcount(True))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 0


def test_many_void_calls_do_not_kill_the_process():
    # A page view paints by calling void QPainter methods, each of which PySide6 6.12.0 lets
    # lower None's reference count: far more calls than None's natural count survives.
    script = textwrap.dedent(
        """
        import faxgui.ui  # applies the fix
        from PySide6.QtCore import QRect

        rect = QRect()
        for n in range(200_000):
            rect.setWidth(n)
        print("alive")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alive"


def test_many_calls_answering_nothing_do_not_kill_the_process():
    # The same release returns None without a reference from calls that answer "no object"
    # or "no value" too (probed: a label's buddy, the focus widget, a model's empty data(),
    # an unset property), each lowering None's count by one: a page of the address book
    # asks data() for every cell and role. False, 0, "", () and NotImplemented do not leak.
    script = textwrap.dedent(
        """
        import faxgui.ui  # applies the fix
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QStandardItem, QStandardItemModel
        from PySide6.QtWidgets import QApplication, QLabel

        app = QApplication(["faxgui"])
        label = QLabel()
        model = QStandardItemModel()
        model.appendRow(QStandardItem("Dr Lee"))
        index = model.index(0, 0)
        for n in range(50_000):
            label.buddy()
            QApplication.focusWidget()
            index.data(Qt.ItemDataRole.ToolTipRole)
            label.property("nothing")
        print("alive")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alive"
