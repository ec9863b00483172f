"""A long session's worth of signals cannot crash the app through PySide6's emit() leak."""

from __future__ import annotations

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
