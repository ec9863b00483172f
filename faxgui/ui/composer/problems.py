"""Validation problems shown where they belong: text under a field, and a list that leads to it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QListView,
    QStyle,
    QWidget,
)

from faxgui.compose.draft import Draft
from faxgui.compose.validation import Problem
from faxgui.ui.feedback import ERROR, WARNING

FIELD_LABELS: dict[str, str] = {
    "send_from": "Sender ID",
    "resolution": "Resolution",
    "retries": "Retries",
    "busy_retries": "Busy retries",
    "header_format": "Header line",
    "scheduled_start_time": "Start sending",
    "must_be_sent_before_date": "Cancel if not sent by",
    "max_fax_pages": "Page limit",
    "cli": "Caller ID",
    "blocklists": "Blocklists",
    "broadcast_ref": "Broadcast reference",
    "send_ref": "Send reference",
    "recipients": "Recipients",
    "documents": "Documents",
    "fax_number": "Fax number",
    "message_ref": "Message reference",
    "path": "File",
    "document_ref": "Saved document reference",
    "doc_merge_data": "Merge fields",
}
"""What each `Problem.field` is called on screen."""


def sentence(message: str) -> str:
    """`message` ending with a full stop (number problems come without one)."""
    message = message.strip()
    return message if message.endswith((".", "!", "?")) else message + "."


def problem_text(problem: Problem, draft: Draft | None) -> str:
    """The problem in a sentence that says where it is: "Row 3 (Dr Lee): This number is ..."."""
    message = sentence(problem.message)
    where: list[str] = []
    index = problem.recipient_index
    recipient = None
    if index is not None:
        recipient = draft.recipients[index] if draft and index < len(draft.recipients) else None
        name = recipient.name if recipient is not None else ""
        where.append(f"Row {index + 1}" + (f" ({name})" if name else ""))
    if problem.document_index is not None and draft is not None:
        documents = recipient.documents if recipient is not None else draft.documents
        if problem.document_index < len(documents):
            label = documents[problem.document_index].label
            if label not in message:
                where.append(f"document {label}" if where else f"Document {label}")
    elif problem.field not in ("fax_number", "recipients", "documents") or (
        index is not None and problem.field == "documents"
    ):
        label = FIELD_LABELS.get(problem.field, problem.field)
        where.append(label[:1].lower() + label[1:] if where else label)
    if index is None and problem.field in ("recipients", "documents"):
        return message
    return f"{', '.join(where)}: {message}" if where else message


def errors_first(problems: Sequence[Problem]) -> list[Problem]:
    """Errors before warnings, each group in the order validation found them."""
    return [p for p in problems if p.is_error] + [p for p in problems if not p.is_error]


class ProblemLabel(QLabel):
    """What is wrong with one field, in red (errors) or amber (warnings) under it.

    Hidden while the field has nothing to say, so a form without problems
    looks like any other form.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Show these problems' messages (errors first); hide when there are none."""
        ordered = errors_first(problems)
        if not ordered:
            self.clear()
            self.hide()
            return
        seen: list[str] = []
        for problem in ordered:
            text = sentence(problem.message)
            if text not in seen:
                seen.append(text)
        self.setStyleSheet((ERROR if ordered[0].is_error else WARNING).style())
        self.setText("\n".join(seen))
        self.show()


class ProblemsModel(QAbstractListModel):
    """Every problem of the draft, one a row, errors first; `set_rows()` replaces them."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Problem] = []
        self._draft: Draft | None = None
        self._texts: dict[int, str] = {}

    def set_rows(self, problems: Sequence[Problem], draft: Draft | None) -> None:
        self.beginResetModel()
        self._rows = errors_first(problems)
        self._draft = draft
        self._texts = {}
        self.endResetModel()

    def problem(self, row: int) -> Problem:
        return self._rows[row]

    def text(self, row: int) -> str:
        """The row's sentence, worded when first asked for (10,000 rows are never all shown)."""
        text = self._texts.get(row)
        if text is None:
            text = self._texts[row] = problem_text(self._rows[row], self._draft)
        return text

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        problem = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(index.row())
        if role == Qt.ItemDataRole.ForegroundRole:
            return (ERROR if problem.is_error else WARNING).color()
        if role == Qt.ItemDataRole.DecorationRole:
            return problem_icon(problem.is_error)
        return None


def problem_icon(error: bool) -> QIcon:
    """The style's error or warning icon."""
    pixmap = (
        QStyle.StandardPixmap.SP_MessageBoxCritical
        if error
        else QStyle.StandardPixmap.SP_MessageBoxWarning
    )
    return QApplication.style().standardIcon(pixmap)


class ProblemsList(QListView):
    """The problems as a list; choosing one (click, Enter) asks to go to its field.

    Signals:
        problem_chosen(object): the Problem the user picked.
    """

    problem_chosen = Signal(object)

    def __init__(self, model: ProblemsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setUniformItemSizes(True)
        self.setWordWrap(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.activated.connect(self._chosen)
        self.clicked.connect(self._chosen)
        self._model = model

    def _chosen(self, index: QModelIndex) -> None:
        if index.isValid():
            self.problem_chosen.emit(self._model.problem(index.row()))
