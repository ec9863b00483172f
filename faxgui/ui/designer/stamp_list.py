"""The designer's list of a document's stamps, with each one's exact fax-pixel coordinates."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from faxgui.api.enums import Resolution
from faxgui.api.models import ImageStampMergeData, StampMergeData
from faxgui.compose.stamp_edit import CoordinateFrame
from faxgui.imaging.stamp_fonts import DEFAULT_FONT_NAME

COL_STAMP = 0
COL_X = 1
COL_Y = 2
COL_SIZE = 3
HEADERS = ("Stamp", "X", "Y", "Width × height")  # noqa: RUF001

_ANY = QModelIndex | QPersistentModelIndex


def stamp_title(stamp: StampMergeData) -> str:
    """What a stamp is, in a few words: its text in quotes, or its image's file name."""
    if isinstance(stamp, ImageStampMergeData):
        return f"Image {stamp.file_name}"
    text = stamp.text if len(stamp.text) <= 30 else stamp.text[:29] + "…"
    size = "" if stamp.font_size is None else f", {stamp.font_size:g} pt"
    return f"“{text}” ({stamp.font_name or DEFAULT_FONT_NAME}{size})"


class StampListModel(QAbstractTableModel):
    """One row per stamp of a document, with its coordinates as they read at `shown`.

    The coordinates stored (and sent) are at the frame's resolution, the fax's;
    they can be shown for the other resolution (only y and heights differ).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._stamps: list[StampMergeData] = []
        self._frame: CoordinateFrame | None = None
        self.shown = Resolution.NORMAL

    def set_rows(self, stamps: list[StampMergeData], frame: CoordinateFrame | None) -> None:
        """Show this list (the document's own: `refresh`/`update_rows` after it changes)."""
        self.beginResetModel()
        self._stamps = stamps
        self._frame = frame
        self.endResetModel()

    def refresh(self) -> None:
        """Rows were added or deleted."""
        self.beginResetModel()
        self.endResetModel()

    def update_rows(self, rows: list[int]) -> None:
        """These stamps moved or changed."""
        for row in rows:
            if 0 <= row < len(self._stamps):
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def set_shown_resolution(self, resolution: Resolution) -> None:
        """Show every coordinate as it reads for a fax at `resolution`."""
        self.shown = resolution
        if self._stamps:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._stamps) - 1, COL_SIZE))

    def shown_position(self, row: int) -> tuple[int, int]:
        """A stamp's (x, y) as shown."""
        stamp = self._stamps[row]
        if self._frame is None:
            return stamp.x, stamp.y
        return self._frame.shown(stamp.x, stamp.y, self.shown)

    def shown_size(self, row: int) -> tuple[int, int] | None:
        """An image stamp's width and height as shown (None for text)."""
        stamp = self._stamps[row]
        if not isinstance(stamp, ImageStampMergeData):
            return None
        width, height = stamp.width or 0, stamp.height or 0
        if self._frame is None:
            return width, height
        return self._frame.shown_size(width, height, self.shown)

    def stamp(self, row: int) -> StampMergeData:
        return self._stamps[row]

    def rowCount(self, parent: _ANY | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._stamps)

    def columnCount(self, parent: _ANY | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                COL_X: "Fax pixels from the left edge of the page (0 to 1727)",
                COL_Y: "Scan lines from the top of the page",
                COL_SIZE: "An image's size in fax pixels and scan lines",
            }.get(section)
        return None

    def data(self, index: _ANY, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        stamp = self._stamps[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_STAMP:
                return stamp_title(stamp)
            x, y = self.shown_position(row)
            if column == COL_X:
                return str(x)
            if column == COL_Y:
                return str(y)
            size = self.shown_size(row)
            return "" if size is None else f"{size[0]} × {size[1]}"  # noqa: RUF001
        if role == Qt.ItemDataRole.TextAlignmentRole and column != COL_STAMP:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_STAMP:
            if isinstance(stamp, ImageStampMergeData):
                return stamp.file_name
            return stamp.text
        return None
