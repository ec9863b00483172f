"""Start-up: process start to the first painted main window, against a bare PySide6 window."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark

RUNS = 7
GOAL = 1.5

# Both children print the wall-clock time of their first paint and quit; the parent
# subtracts the time it spawned them, so interpreter start-up counts on both sides.
_BARE = textwrap.dedent(
    """
    import time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class Window(QMainWindow):
        painted = False
        def paintEvent(self, event):
            super().paintEvent(event)
            if not Window.painted:
                Window.painted = True
                print(time.time(), flush=True)
                QTimer.singleShot(0, QApplication.quit)

    app = QApplication([])
    window = Window()
    window.resize(1000, 700)
    window.show()
    app.exec()
    """
)

_FAXGUI = textwrap.dedent(
    """
    import time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    import faxgui.ui.app as app_module

    class Window(app_module.MainWindow):
        painted = False
        def paintEvent(self, event):
            super().paintEvent(event)
            if not Window.painted:
                Window.painted = True
                print(time.time(), flush=True)
                QTimer.singleShot(0, QApplication.quit)

    app_module.MainWindow = Window
    raise SystemExit(app_module.main([]))
    """
)


def _first_paint_seconds(script: str, env: dict[str, str]) -> float:
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    painted = float(done.stdout.strip().splitlines()[0])
    return painted - started


def test_startup_to_first_paint_is_within_goal(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    # Warm the OS file cache for both, so neither pays for the first disk read.
    _first_paint_seconds(_BARE, env)
    _first_paint_seconds(_FAXGUI, env)
    bare, ours = [], []
    for _ in range(RUNS):
        bare.append(_first_paint_seconds(_BARE, env))
        ours.append(_first_paint_seconds(_FAXGUI, env))
    bare_s, ours_s = statistics.median(bare), statistics.median(ours)
    ratio = ours_s / bare_s
    print(
        f"\nstart-up to first paint: faxgui {ours_s * 1000:.0f} ms, bare PySide6 window "
        f"{bare_s * 1000:.0f} ms, ratio {ratio:.2f}x (goal <= {GOAL}x)"
    )
    assert ratio <= GOAL
