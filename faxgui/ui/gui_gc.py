"""Python's cycle collector, run on the GUI thread only.

Objects in reference cycles are freed by whichever thread happens to trigger a
collection. When a cycle holds widgets (a closed window whose slots refer back
to it, a graphics view and its items), a worker that triggers the collection
destroys them on its own thread while the GUI thread paints or handles
events; Qt objects are not thread-safe, and the process dies with a
segmentation fault ("Garbage-collecting" in a preview worker's stack). So
automatic collection is switched off and the GUI thread collects instead,
every `INTERVAL_MS`, what the interpreter would have collected by then.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 1000
"""How often the GUI thread looks for due collections. Cycles wait at most this long."""

_NAME = "faxgui-gui-thread-collector"
_pauses = 0


def pause_collection() -> None:
    """Hold off the GUI thread's collections (while a big send builds and answers: nearly all of
    its objects are freed by reference counting when it ends). Pauses nest."""
    global _pauses
    _pauses += 1


def resume_collection() -> None:
    """End one `pause_collection()`."""
    global _pauses
    _pauses = max(0, _pauses - 1)


def collection_paused() -> bool:
    return _pauses > 0


class GuiThreadCollector(QObject):
    """Collects cyclic garbage on a timer in the GUI thread, following the interpreter's
    thresholds; automatic collection stays off while it lives."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.setObjectName(_NAME)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()
        gc.disable()
        self.destroyed.connect(gc.enable)

    def collect_due(self) -> int | None:
        """Collect the oldest generation whose threshold has been passed, as the interpreter
        does; returns that generation, or None when nothing was due."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if _pauses or counts[0] <= thresholds[0]:
            return None
        generation = next((g for g in (2, 1) if counts[g] > thresholds[g]), 0)
        gc.collect(generation)
        return generation


def collect_on_gui_thread(app: QCoreApplication) -> GuiThreadCollector:
    """Make the GUI thread the only one that collects cyclic garbage (once per application).

    Call it on the GUI thread, before any worker starts.
    """
    existing = app.findChild(GuiThreadCollector, _NAME)
    if existing is not None:
        return existing
    return GuiThreadCollector(app)
