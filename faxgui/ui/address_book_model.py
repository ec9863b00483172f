"""The address book's table of contacts: who, where, which number, and what is wrong with it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6 import QtCore
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QBrush

from faxgui.compose.phone import PhoneNormaliser
from faxgui.jobs.address_book import Contact
from faxgui.ui.feedback import ERROR

COL_NAME = 0
COL_ORGANISATION = 1
COL_NUMBER = 2
COL_GROUPS = 3
COL_NOTES = 4

HEADERS = ("Name", "Organisation", "Fax number", "Groups", "Notes")

INVALID_MARK = "⚠"
"""Put before a number that cannot be dialled, so it shows without relying on colour."""
SHARED_NOTE = "(shared)"
"""Put after a number other contacts have too (a practice's one fax machine, often)."""


# Qt.ItemDataRole.DisplayRole as a number, for default arguments evaluated at import.
_DISPLAY_ROLE = 0


def number_problem(contact: Contact, numbers: PhoneNormaliser | None) -> str | None:
    """Why the contact's number cannot be dialled, as a sentence; None when it can."""
    if contact.normalised is not None:
        return None
    if not contact.fax_number:
        return "This contact has no fax number. Edit the contact to add one."
    problem = numbers.normalise(contact.fax_number).problem if numbers is not None else None
    reason = problem or "This is not a valid fax number"
    return f"{reason}. Edit the contact to correct it."


def shared_number_note(contact: Contact) -> str | None:
    """A note that other contacts have the same number, or None."""
    if contact.same_number == 0:
        return None
    others = (
        "1 other contact has"
        if contact.same_number == 1
        else (f"{contact.same_number} other contacts have")
    )
    return f"{others} this number too."


class AddressBookModel(QAbstractTableModel):
    """One row per contact; `set_rows()` replaces them all, `update_rows()` changes some.

    `numbers` words what is wrong with an invalid number (in the tooltip).
    """

    def __init__(self, numbers: PhoneNormaliser | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._numbers = numbers
        self._rows: list[Contact] = []

    def set_rows(self, contacts: Sequence[Contact]) -> None:
        self.beginResetModel()
        self._rows = list(contacts)
        self.endResetModel()

    def update_rows(self, contacts: Iterable[Contact]) -> list[int]:
        """Replace the rows showing these contacts (by id); returns the rows changed.

        Contacts not shown are ignored: whether they belong in the list is
        for the next search to say.
        """
        by_id = {contact.id: contact for contact in contacts}
        changed: list[int] = []
        for row, shown in enumerate(self._rows):
            updated = by_id.get(shown.id)
            if updated is not None:
                self._rows[row] = updated
                changed.append(row)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        return changed

    def contact(self, row: int) -> Contact:
        return self._rows[row]

    def contacts(self) -> list[Contact]:
        return list(self._rows)

    def row_of(self, contact_id: int) -> int | None:
        for row, contact in enumerate(self._rows):
            if contact.id == contact_id:
                return row
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY_ROLE) -> Any:
        if not index.isValid():
            return None
        contact = self._rows[index.row()]
        column = index.column()
        Qt = QtCore.Qt
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(contact, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(contact, column)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == COL_NUMBER
            and contact.normalised is None
        ):
            return QBrush(ERROR.color())
        if role == Qt.ItemDataRole.AccessibleTextRole and column == COL_NUMBER:
            notes = [number_problem(contact, self._numbers), shared_number_note(contact)]
            return " ".join([contact.fax_number, *(n for n in notes if n)])
        return None

    def _display(self, contact: Contact, column: int) -> str:
        if column == COL_NAME:
            return contact.name
        if column == COL_ORGANISATION:
            return contact.organisation
        if column == COL_NUMBER:
            if contact.normalised is None:
                return f"{INVALID_MARK} {contact.fax_number or 'No number'}"
            if contact.same_number:
                return f"{contact.fax_number} {SHARED_NOTE}"
            return contact.fax_number
        if column == COL_GROUPS:
            return ", ".join(contact.groups)
        if column == COL_NOTES:
            # One line in the table; the tooltip has all of it.
            return contact.notes.splitlines()[0] if contact.notes else ""
        raise IndexError(column)

    def _tooltip(self, contact: Contact, column: int) -> str | None:
        if column == COL_NUMBER:
            problem = number_problem(contact, self._numbers)
            if problem is not None:
                return problem
            return shared_number_note(contact)
        if column == COL_NOTES:
            return contact.notes or None
        return self._display(contact, column) or None

    def headerData(
        self, section: int, orientation: QtCore.Qt.Orientation, role: int = _DISPLAY_ROLE
    ) -> Any:
        Qt = QtCore.Qt
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None
