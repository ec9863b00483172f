"""The recipients table: one row per fax of the draft, with what is wrong with each row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.phone import PhoneNormaliser, format_for_display
from faxgui.compose.validation import Problem
from faxgui.ui.composer.problems import (
    errors_first,
    problem_icon,
    sentence,
)
from faxgui.ui.feedback import ERROR, WARNING

COL_NAME = 0
COL_NUMBER = 1
COL_SENDS_TO = 2
COL_OWN_SETTINGS = 3
COL_MESSAGE_REF = 4

HEADERS = ("Name", "Fax number", "Sends to", "Own settings", "Message reference")

_EDITABLE = (COL_NAME, COL_NUMBER, COL_MESSAGE_REF)
# Which column shows a problem with which field; everything else is the row's own settings.
_PROBLEM_COLUMN = {"fax_number": COL_SENDS_TO, "message_ref": COL_MESSAGE_REF}
_OPTION_WORDS = {
    "send_from": "sender ID",
    "resolution": "resolution",
    "retries": "retries",
    "busy_retries": "busy retries",
    "header_format": "header",
    "scheduled_start_time": "start time",
    "must_be_sent_before_date": "deadline",
    "max_fax_pages": "page limit",
    "cli": "caller ID",
    "blocklists": "blocklists",
}


def own_settings_text(recipient: Recipient) -> str:
    """What a recipient does differently from the rest of the fax, in a few words."""
    parts: list[str] = []
    if recipient.documents:
        count = len(recipient.documents)
        parts.append(f"own document{'s' if count != 1 else ''} ({count})")
    parts += [word for name, word in _OPTION_WORDS.items() if getattr(recipient.overrides, name)]
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


class RecipientsModel(QAbstractTableModel):
    """The draft's recipients, edited in place; row problems come from `set_problems()`.

    The model works on the draft it was given (`set_draft()`): adding,
    removing and editing rows change `draft.recipients` itself.

    Signals:
        edited(): the user changed, added or removed recipients.
    """

    edited = Signal()

    def __init__(self, numbers: PhoneNormaliser, parent: Any = None) -> None:
        super().__init__(parent)
        self._numbers = numbers
        self._draft = Draft()
        self._problems: dict[int, list[Problem]] = {}
        self._display: dict[str, str] = {}

    # ------------------------------------------------------------------ the rows

    def set_draft(self, draft: Draft) -> None:
        """Show `draft`'s recipients (all rows replaced)."""
        self.beginResetModel()
        self._draft = draft
        self._problems = {}
        self.endResetModel()

    def set_numbers(self, numbers: PhoneNormaliser) -> None:
        """Read every number again for another default country."""
        self._numbers = numbers
        self._draft.renormalise(numbers)
        self._all_changed()

    def recipient(self, row: int) -> Recipient:
        return self._draft.recipients[row]

    def add_recipients(self, recipients: Sequence[Recipient]) -> None:
        """Append recipients to the draft (they get MessageRefs) and show them."""
        if not recipients:
            return
        first = len(self._draft.recipients)
        self.beginInsertRows(QModelIndex(), first, first + len(recipients) - 1)
        self._draft.add_recipients(recipients)
        self.endInsertRows()
        self.edited.emit()

    def add_typed(self, entries: Iterable[tuple[str, str]]) -> list[Recipient]:
        """Append a recipient for each (name, number as typed); returns them."""
        recipients = [Recipient.typed(number, self._numbers, name) for name, number in entries]
        self.add_recipients(recipients)
        return recipients

    def remove_rows(self, rows: Iterable[int]) -> list[Recipient]:
        """Remove these rows from the draft; returns the recipients removed."""
        doomed = sorted(set(rows))
        if not doomed:
            return []
        self.beginResetModel()
        removed = self._draft.remove_recipients(doomed)
        self._problems = {}
        self.endResetModel()
        self.edited.emit()
        return removed

    def update_rows(self, rows: Iterable[int]) -> None:
        """Repaint these rows after their recipients changed outside the table."""
        for row in rows:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    # ------------------------------------------------------------------ problems

    def set_problems(self, problems: Iterable[Problem]) -> None:
        """Flag rows with the recipient problems among `problems` (the others are ignored)."""
        by_row: dict[int, list[Problem]] = {}
        for problem in problems:
            if problem.recipient_index is not None:
                by_row.setdefault(problem.recipient_index, []).append(problem)
        if by_row or self._problems:
            self._problems = by_row
            self._all_changed()

    def problems_for(self, row: int, column: int | None = None) -> list[Problem]:
        """The row's problems (errors first), or only those shown in `column`."""
        found = errors_first(self._problems.get(row, []))
        if column is None:
            return found
        return [p for p in found if _PROBLEM_COLUMN.get(p.field, COL_OWN_SETTINGS) == column]

    def _all_changed(self) -> None:
        if self._draft.recipients:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._draft.recipients) - 1, len(HEADERS) - 1)
            )

    # ------------------------------------------------------------------ Qt

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._draft.recipients)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(HEADERS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() in _EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        recipient = self._draft.recipients[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(recipient, row, column)
        problems = self.problems_for(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(recipient, row, column, problems)
        if role == Qt.ItemDataRole.DecorationRole and problems:
            return problem_icon(problems[0].is_error)
        if (
            role == Qt.ItemDataRole.DecorationRole
            and column == COL_SENDS_TO
            and recipient.normalised is None
        ):
            return problem_icon(True)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_SENDS_TO:
            if recipient.normalised is None or (problems and problems[0].is_error):
                return ERROR.color()
            if problems:
                return WARNING.color()
        return None

    def _text(self, recipient: Recipient, row: int, column: int) -> str:
        if column == COL_NAME:
            return recipient.name
        if column == COL_NUMBER:
            return recipient.fax_number
        if column == COL_MESSAGE_REF:
            return recipient.message_ref
        if column == COL_SENDS_TO:
            return self._sends_to(recipient, row)
        return own_settings_text(recipient)

    def _sends_to(self, recipient: Recipient, row: int) -> str:
        if recipient.normalised is None:
            problem = self._numbers.normalise(recipient.fax_number).problem
            return sentence(problem or "This is not a fax number")
        shown = self._display.get(recipient.normalised)
        if shown is None:
            shown = self._display[recipient.normalised] = format_for_display(recipient.normalised)
        warnings = self.problems_for(row, COL_SENDS_TO)
        return f"{shown} — {sentence(warnings[0].message)}" if warnings else shown

    def _tooltip(
        self, recipient: Recipient, row: int, column: int, problems: list[Problem]
    ) -> str | None:
        lines = [sentence(p.message) for p in problems]
        if column == COL_NAME and recipient.extra:
            lines += [f"{key}: {value}" for key, value in recipient.extra.items() if value]
        if column == COL_SENDS_TO and recipient.normalised is None:
            lines.insert(0, self._sends_to(recipient, row))
        if column == COL_MESSAGE_REF:
            lines.insert(0, recipient.message_ref)
        if column == COL_OWN_SETTINGS and not lines:
            lines.append("Alt+Enter changes the settings and documents of this fax only.")
        return "\n".join(lines) or None

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        recipient = self._draft.recipients[index.row()]
        text = str(value).strip()
        column = index.column()
        if column == COL_NAME:
            recipient.name = text
        elif column == COL_NUMBER:
            recipient.set_fax_number(text, self._numbers)
        elif column == COL_MESSAGE_REF:
            recipient.message_ref = text
        else:
            return False
        self.update_rows([index.row()])
        self.edited.emit()
        return True

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return str(section + 1)
