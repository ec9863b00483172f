"""The table of faxes a status lookup found, in words a receptionist understands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The Qt namespace is reached through QtCore, and only when a view asks for data:
# `from PySide6.QtCore import Qt` makes PySide build its ~94 enum types at once (about
# 40 ms), which the main window's first paint, importing this module, should not wait for.
from PySide6 import QtCore
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex

from faxgui.api.enums import FaxResult, FaxStatus

if TYPE_CHECKING:
    from faxgui.api.models import FaxMessageStatus, FaxStatusResponse

COL_REFERENCE = 0
COL_NUMBER = 1
COL_STATUS = 2
COL_RESULT = 3
COL_ERROR = 4
COL_ATTEMPTS = 5
COL_PAGES = 6

HEADERS = ("Reference", "Fax number", "Status", "Result", "What went wrong", "Attempts", "Pages")

RESULT_WORDS = {
    FaxResult.SUCCESS: "Sent",
    FaxResult.FAILED: "Failed",
    FaxResult.BLOCKED: "Blocked",
}

_NUMERIC_COLUMNS = (COL_ATTEMPTS, COL_PAGES)

# Qt.ItemDataRole.DisplayRole as the number Qt gives it, for the default arguments below:
# they are evaluated at import, where naming the enum would build the Qt namespace.
_DISPLAY_ROLE = 0


def _cell(message: FaxMessageStatus, column: int) -> str:
    latest = message.latest_attempt
    # Until a fax is done, a failed attempt is not its result: the service will try
    # again, and "Failed" beside "waiting" would send a receptionist to resend it.
    finished = message.status is FaxStatus.DONE
    if column == COL_REFERENCE:
        return message.message_ref or ""
    if column == COL_NUMBER:
        return message.send_to or ""
    if column == COL_STATUS:
        if message.status is FaxStatus.QUEUED and latest and latest.error:
            return "Waiting to try again"
        return message.status.description if message.status else "Unknown"
    if column == COL_RESULT:
        if not finished:
            return "Not finished yet"
        return RESULT_WORDS[latest.result] if latest and latest.result else ""
    if column == COL_ERROR:
        if not (latest and latest.error):
            return ""
        if not finished:
            return f"Last attempt: {latest.error.short_name.lower()}. It will be tried again."
        return latest.error.sentence
    if column == COL_ATTEMPTS:
        return str(len(message.results))
    if column == COL_PAGES:
        return str(latest.pages) if latest and latest.pages is not None else ""
    raise IndexError(column)


class FaxStatusModel(QAbstractTableModel):
    """One row per fax of a FaxStatus answer; `set_rows()` replaces them all."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[FaxMessageStatus] = []

    def set_rows(self, messages: list[FaxMessageStatus]) -> None:
        self.beginResetModel()
        self._rows = list(messages)
        self.endResetModel()

    def message(self, row: int) -> FaxMessageStatus:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY_ROLE) -> Any:
        if not index.isValid():
            return None
        message = self._rows[index.row()]
        Qt = QtCore.Qt
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _cell(message, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in _NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: QtCore.Qt.Orientation, role: int = _DISPLAY_ROLE
    ) -> Any:
        Qt = QtCore.Qt
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None


def totals_text(response: FaxStatusResponse) -> str:
    """One line summing up the answer: how many faxes, where they are, how they ended."""
    count = len(response.messages)
    status = response.status_totals
    results = response.results_totals
    in_progress = (
        status.pending + status.processing + status.queued + status.starting + status.sending
    )
    parts = [
        f"{count} fax{'es' if count != 1 else ''}",
        f"{status.done} finished",
        f"{in_progress + status.finalizing} still in progress",
        f"{results.success} sent",
        f"{results.failed} failed",
        f"{results.blocked} blocked",
        f"{results.total_attempts} attempt{'s' if results.total_attempts != 1 else ''}",
        f"{results.total_pages} page{'s' if results.total_pages != 1 else ''}",
    ]
    return " · ".join(parts)
