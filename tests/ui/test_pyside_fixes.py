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
