"""The "Faxes not yet submitted" window: what waits in the outbox, sent now or cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from faxgui.compose.outbox import cancel_waiting, waiting_sends
from faxgui.compose.pipeline import SendInProgressError
from faxgui.jobs.store import JobStoreError, SendState
from faxgui.ui.feedback import ERROR, NOTE, SUCCESS, describe_error
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent

    from faxgui.compose.pipeline import SendPipeline
    from faxgui.jobs.store import JobStore, MessageRecord, SendRecord
    from faxgui.ui.outbox_watcher import OutboxPass, OutboxWatcher

COL_BROADCAST = 0
COL_SEND = 1
COL_STATE = 2
COL_FAXES = 3
COL_RECIPIENT = 4
COL_CREATED = 5
COL_ATTEMPTS = 6
COL_ERROR = 7

HEADERS = (
    "Broadcast",
    "Send reference",
    "State",
    "Faxes",
    "First recipient",
    "Created",
    "Attempts",
    "Last problem",
)

NOT_SUBMITTED = "Not yet submitted"
EMPTY_TEXT = "Nothing is waiting: every fax has been handed to the fax service."
ALREADY_SUBMITTED = (
    "it had already reached the fax service, so it was not cancelled: stop it from the status panel"
)

_NUMERIC_COLUMNS = (COL_FAXES, COL_ATTEMPTS)


@dataclass(frozen=True, slots=True)
class WaitingSend:
    """One request in the outbox, with its first recipient (None if none was recorded)."""

    record: SendRecord
    first: MessageRecord | None

    @property
    def faxes(self) -> int:
        return int(self.record.summary.get("messages", 0))


def load_waiting(store: JobStore) -> list[WaitingSend]:
    """What waits in the outbox, oldest first; blocks on the job store."""
    rows = []
    for record in waiting_sends(store):
        messages = store.messages(record.send_ref)
        rows.append(WaitingSend(record, messages[0] if messages else None))
    return rows


def _faxes(count: int) -> str:
    return f"{count:,} fax{'' if count == 1 else 'es'}"


def _recipient(first: MessageRecord | None) -> str:
    if first is None:
        return ""
    if first.recipient_name and first.send_to:
        return f"{first.recipient_name} ({first.send_to})"
    return first.recipient_name or first.send_to


def _cell(row: WaitingSend, column: int) -> str:
    record = row.record
    if column == COL_BROADCAST:
        return record.broadcast_ref
    if column == COL_SEND:
        return record.send_ref
    if column == COL_FAXES:
        return f"{row.faxes:,}"
    if column == COL_RECIPIENT:
        return _recipient(row.first)
    if column == COL_CREATED:
        return record.created.astimezone().strftime("%d %b %Y %H:%M")
    if column == COL_ATTEMPTS:
        return str(record.attempts)
    if column == COL_ERROR:
        # The state column already says so; the sentence after it is the news.
        return (record.last_error or "").removeprefix(f"{NOT_SUBMITTED}: ")
    if column == COL_STATE:
        return NOT_SUBMITTED
    raise IndexError(column)


class OutboxModel(QAbstractTableModel):
    """One row per waiting request; `set_rows()` replaces them all."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[WaitingSend] = []

    def set_rows(self, rows: list[WaitingSend]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> WaitingSend:
        return self._rows[index]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _cell(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in _NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    """What cancelling one request came to: the record afterwards, or why it could not be."""

    row: WaitingSend
    record: SendRecord | None
    error: Exception | None


def cancel_sends(pipeline: SendPipeline, rows: list[WaitingSend]) -> list[CancelOutcome]:
    """Cancel each request (asking the service about those that went out before); blocks."""
    outcomes = []
    for row in rows:
        try:
            record = cancel_waiting(pipeline, row.record.send_ref)
        except Exception as exc:
            outcomes.append(CancelOutcome(row, None, exc))
        else:
            outcomes.append(CancelOutcome(row, record, None))
    return outcomes


def _error_sentence(error: Exception) -> str:
    if isinstance(error, SendInProgressError | JobStoreError):
        return str(error)
    return describe_error(error)


def outcome_text(outcomes: list[CancelOutcome]) -> tuple[str, bool]:
    """The sentences saying what cancelling came to, and whether all of it was cancelled."""
    cancelled = [o for o in outcomes if o.record and o.record.state is SendState.CANCELLED]
    parts = []
    if cancelled:
        count = sum(o.row.faxes for o in cancelled)
        parts.append(
            f"Cancelled {_faxes(count)}: {'it' if count == 1 else 'they'} will not be sent."
        )
    for outcome in outcomes:
        if outcome in cancelled:
            continue
        ref = outcome.row.record.send_ref
        if outcome.error is not None:
            parts.append(f"{ref} was not cancelled: {_error_sentence(outcome.error)}")
        elif outcome.record is not None and outcome.record.state is SendState.SUBMITTED:
            parts.append(f"{ref}: {ALREADY_SUBMITTED}.")
        elif outcome.record is not None:
            reason = outcome.record.last_error or "the fax service had already finished it."
            parts.append(f"{ref} was not cancelled: {reason}")
    return " ".join(parts), len(cancelled) == len(outcomes)


class OutboxDialog(QDialog):
    """Lists the faxes not yet submitted; sends them now or cancels the chosen ones.

    Non-modal. The list is read on a worker when the window shows and each
    time the watcher's count changes; cancelling runs on a worker too.

    Signals: none of its own.
    """

    def __init__(
        self, pipeline: SendPipeline, watcher: OutboxWatcher, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._pipeline = pipeline
        self._watcher = watcher
        # Bumped at each refresh, so a late answer to an earlier one is dropped.
        self._generation = 0
        self._cancelling = False
        self._trying = False
        self.confirm_box: QMessageBox | None = None

        self.setWindowTitle("Faxes not yet submitted")
        self.setModal(False)
        self.explanation = QLabel(
            "These faxes have not been handed to the fax service yet. They go out by "
            "themselves when it can be reached; “Send now” tries at once."
        )
        self.explanation.setWordWrap(True)
        self.model = OutboxModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # A long problem is elided; its tooltip has all of it.
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_ERROR, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        self.outcome_label = QLabel()
        self.outcome_label.setWordWrap(True)
        self.outcome_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome_label.hide()
        self.send_now_button = QPushButton("&Send now")
        self.cancel_button = QPushButton("&Cancel selected…")
        self.close_button = QPushButton("Close")
        self.send_now_button.setToolTip("Try to hand every waiting fax to the fax service now")
        self.cancel_button.setEnabled(False)
        self.close_button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.table)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.outcome_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_now_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.resize(1100, 360)

        self.send_now_button.clicked.connect(self.send_now)
        self.cancel_button.clicked.connect(self.ask_to_cancel)
        self.close_button.clicked.connect(self.close)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        watcher.waiting_changed.connect(self.refresh)
        watcher.pass_finished.connect(self._on_pass)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self, *_args: object) -> None:
        """Read the outbox again (on a worker); the table follows when it is read."""
        self._generation += 1
        generation = self._generation
        run_task(
            load_waiting,
            self._pipeline.store,
            on_done=lambda rows: self._show_rows(generation, rows),
            on_error=lambda exc: self._show_outcome(
                f"The list of waiting faxes could not be read: {_error_sentence(exc)}", False
            ),
            context=self,
        )

    def send_now(self) -> None:
        """Try the outbox at once; the list follows what the pass sends."""
        self._trying = True
        self._show_outcome("Trying to hand the waiting faxes to the fax service…", None)
        self._watcher.retry_now()

    def _on_pass(self, result: OutboxPass) -> None:
        self.refresh()
        if not self._trying:
            return
        self._trying = False
        if not result.reached_service:
            self._show_outcome(
                "The fax service still cannot be reached: the faxes keep waiting and are "
                "tried again by themselves.",
                False,
            )
        elif result.waiting:
            self._show_outcome(f"{_faxes(result.waiting)} still waiting.", None)
        else:
            self._show_outcome("Every waiting fax was handed to the fax service.", True)

    def selected_rows(self) -> list[WaitingSend]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row(row) for row in rows]

    def ask_to_cancel(self) -> None:
        """Ask before cancelling the selected faxes; cancels them (on a worker) when told to."""
        rows = self.selected_rows()
        if not rows or self._cancelling:
            return
        count = sum(row.faxes for row in rows)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Cancel faxes")
        box.setText(f"Cancel {_faxes(count)} not yet submitted?")
        box.setInformativeText(
            f"{'It' if count == 1 else 'They'} will not be sent. This cannot be undone; "
            "to send later, send the fax again."
        )
        cancel = box.addButton(f"C&ancel {_faxes(count)}", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("&Keep waiting", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            self.confirm_box = None
            if box.clickedButton() is cancel:
                self._cancel(rows)

        box.finished.connect(answered)
        self.confirm_box = box
        box.open()

    def _cancel(self, rows: list[WaitingSend]) -> None:
        self._cancelling = True
        self._update_buttons()
        self._show_outcome("Cancelling…", None)
        run_task(
            cancel_sends,
            self._pipeline,
            rows,
            on_done=self._on_cancelled,
            on_error=self._on_cancel_error,
            context=self,
        )

    def _on_cancelled(self, outcomes: list[CancelOutcome]) -> None:
        self._cancelling = False
        text, all_cancelled = outcome_text(outcomes)
        self._show_outcome(text, all_cancelled)
        self._update_buttons()
        self._watcher.refresh()
        self.refresh()

    def _on_cancel_error(self, error: Exception) -> None:
        self._cancelling = False
        self._show_outcome(f"Nothing was cancelled: {_error_sentence(error)}", False)
        self.refresh()

    def _show_rows(self, generation: int, rows: list[WaitingSend]) -> None:
        if generation != self._generation:
            return
        # The list is read again often (after every pass): keep what the user selected.
        chosen = {row.record.send_ref for row in self.selected_rows()}
        self.model.set_rows(rows)
        for number, row in enumerate(rows):
            if row.record.send_ref in chosen:
                self.table.selectionModel().select(
                    self.model.index(number, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
        self.table.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)
        self.send_now_button.setEnabled(bool(rows))
        self._update_buttons()

    def _show_outcome(self, text: str, success: bool | None) -> None:
        style = NOTE.style() if success is None else SUCCESS.style() if success else ERROR.style()
        self.outcome_label.setStyleSheet(style)
        self.outcome_label.setText(text)
        self.outcome_label.setVisible(bool(text))

    def _update_buttons(self, *_args: object) -> None:
        selected = bool(self.table.selectionModel().selectedRows())
        self.cancel_button.setEnabled(selected and not self._cancelling)
