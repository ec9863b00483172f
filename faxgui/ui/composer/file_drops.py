"""Files dropped anywhere on a window, text fields included, become documents to add."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QWidget

_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def local_files(event: QDropEvent) -> list[Path]:
    """The local files a drag carries (none for text, web links and the like)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class FileDrops(QObject):
    """Accepts local files dropped on `root` or any widget in it, and hands them on.

    Text fields would take a dropped file as its path typed in; on a composer
    window a dropped file is always a document to add, so the drop is taken
    before they see it. `enabled` is asked at each drag (no drops while sending).

    Signals:
        dropped(list): the dropped files' paths, in the order they came.
    """

    dropped = Signal(list)

    def __init__(self, root: QWidget, enabled: Callable[[], bool] = lambda: True) -> None:
        super().__init__(root)
        self._enabled = enabled
        root.setAcceptDrops(True)
        root.installEventFilter(self)
        for child in root.findChildren(QWidget):
            if child.acceptDrops():
                child.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in _DRAG_EVENTS or not isinstance(event, QDropEvent):
            return False
        files = local_files(event)
        if not files:
            return False
        if not self._enabled():
            event.ignore()
            return True
        event.acceptProposedAction()
        if not isinstance(event, QDragMoveEvent):
            self.dropped.emit(files)
        return True
