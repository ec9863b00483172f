"""Desktop notifications: a broadcast finished, a fax failed (with why); a click shows the job.

Shown through the system tray (QSystemTrayIcon). Where the desktop has no
tray (some Linux desktops, headless runs) nothing is shown and nothing
complains: the panel itself still shows every result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from faxgui.api.enums import FaxResult
from faxgui.ui.status import words

if TYPE_CHECKING:
    from faxgui.ui.status.tree_model import StatusTreeModel, Transition

# A poll that finishes many faxes at once gives one notification that sums them up.
_NAMED = 3


def compose(
    model: StatusTreeModel, transitions: Sequence[Transition]
) -> tuple[str, str, int] | None:
    """(title, text, broadcast id to show) for faxes that just finished; None if not worth it."""
    failed = [
        t.after
        for t in transitions
        if t.after.outcome in (FaxResult.FAILED, FaxResult.BLOCKED) and not t.after.stopped
    ]
    finished_broadcasts = []
    for broadcast_id in dict.fromkeys(t.after.broadcast_id for t in transitions):
        totals = model.totals(model.index_of_broadcast(broadcast_id))
        row = model.broadcast_row(broadcast_id)
        if row is not None and totals.faxes > 1 and totals.finished == totals.faxes:
            finished_broadcasts.append((row, totals))
    if failed:
        first = failed[0]
        who = first.recipient_name or first.send_to
        if len(failed) == 1:
            title = f"The fax to {who} failed"
            text = words.message_error(first)
        else:
            names = ", ".join(m.recipient_name or m.send_to for m in failed[:_NAMED])
            more = len(failed) - _NAMED
            title = f"{len(failed):,} faxes failed"
            and_more = f" and {more:,} more" if more > 0 else ""
            text = f"To {names}{and_more}. {words.message_error(first)}"
        return title, text, first.broadcast_id
    if finished_broadcasts:
        row, totals = finished_broadcasts[0]
        title = f"Broadcast finished: {words.faxes(totals.faxes)}"
        text = f"{words.group_result(totals) or 'Nothing was sent'}. Reference {row.broadcast_ref}."
        return title, text, row.id
    return None


class Notifier(QObject):
    """Shows notifications in the system tray, when there is one.

    Signals:
        show_requested(int): the user clicked a notification about this broadcast id.
    """

    show_requested = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray: QSystemTrayIcon | None = None
        self._last: int | None = None
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            app = QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QApplication) else None
            if icon is None or icon.isNull():
                style = QApplication.style()
                icon = style.standardIcon(QStyle.StandardPixmap.SP_FileDialogInfoView)
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip("faxgui")
            self._tray.messageClicked.connect(self._clicked)
            self._tray.show()

    @property
    def available(self) -> bool:
        return self._tray is not None

    @property
    def last_shown(self) -> int | None:
        """The broadcast id of the last notification shown (or that would have been)."""
        return self._last

    def notify(self, model: StatusTreeModel, transitions: Sequence[Transition]) -> str | None:
        """Tell the user about faxes that just finished; returns the title shown (if any)."""
        message = compose(model, transitions)
        if message is None:
            return None
        title, text, broadcast_id = message
        self._last = broadcast_id
        if self._tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Warning
                if "failed" in title
                else QSystemTrayIcon.MessageIcon.Information
            )
            self._tray.showMessage(title, text, icon, 15_000)
        return title

    def _clicked(self) -> None:
        if self._last is not None:
            self.show_requested.emit(self._last)
