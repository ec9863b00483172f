"""Start-up: process start to the first painted main window, against a bare PySide6 window.

Both are timed as an installed app runs, from byte-compiled modules, in pairs: the goal is
on the median of the ratios of faxgui's time to the bare window's just before it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import faxgui

pytestmark = pytest.mark.benchmark

WARM_UPS = 2
RUNS = 15
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


def _byte_compile_faxgui() -> None:
    # An installed app has its .pyc files (pip writes them); a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would recompile every module in every child. compileall
    # writes them whatever that variable says.
    package = Path(faxgui.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def test_startup_to_first_paint_is_within_goal(tmp_path: Path) -> None:
    _byte_compile_faxgui()
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    # Warm the OS file cache for both, so neither pays for the first disk read.
    for _ in range(WARM_UPS):
        _first_paint_seconds(_BARE, env)
        _first_paint_seconds(_FAXGUI, env)
    # Taken in pairs, one right after the other, so a busy spell on the machine slows both
    # sides of a pair alike; the median of the pairs' ratios leaves out the pairs it hit
    # unevenly. On a shared machine the ratio of the two medians swung between 1.2 and 1.6
    # from one test run to the next where this one stayed within 0.1.
    bare, ours = [], []
    for _ in range(RUNS):
        bare.append(_first_paint_seconds(_BARE, env))
        ours.append(_first_paint_seconds(_FAXGUI, env))
    ratio = statistics.median(o / b for b, o in zip(bare, ours, strict=True))
    print(
        f"\nstart-up to first paint, median of {RUNS} runs: faxgui "
        f"{statistics.median(ours) * 1000:.0f} ms, bare PySide6 window "
        f"{statistics.median(bare) * 1000:.0f} ms; fastest {min(ours) * 1000:.0f} ms against "
        f"{min(bare) * 1000:.0f} ms; ratio {ratio:.2f}x (median per pair, goal <= {GOAL}x)"
    )
    assert ratio <= GOAL
