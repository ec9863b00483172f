"""Suggestions from the address book as the receptionist types in the composer's "To:" field.

`make_recipient_completer(book, numbers, parent)` gives a QCompleter for
the "To:" line edit. As the text changes it asks the book, on a worker, for
the groups and contacts matching it (any part of a name, organisation or
number) and shows them, groups first. Only one question is out at a time:
typing faster than the answers come skips to the latest text. With 50,000
contacts an answer takes from under a millisecond to about 100 ms (see
`faxgui.jobs.address_book`); the GUI thread never waits for it: a keystroke
costs it under 10 ms with or without the completer.

A contact completes to "Name <+61 2 8003 9890>", which the composer reads
like any "Name <number>" entry; a group to "Group: Referrers (8 members)",
which `RecipientCompleter.expand_group_text` turns into its members.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QCompleter

from faxgui.compose.phone import PhoneNormaliser, format_for_display
from faxgui.jobs.address_book import AddressBook, Contact, Group
from faxgui.ui.workers import run_task

log = logging.getLogger(__name__)

GROUP_LIMIT = 3
CONTACT_LIMIT = 20

_GROUP_TEXT = re.compile(r"^Group: (?P<name>.+) \((?P<count>[\d,]+) members?\)$")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One line of the popup: what it shows, and what choosing it puts in the field."""

    completion: str
    display: str
    group_id: int | None = None


def contact_completion(contact: Contact, numbers: PhoneNormaliser) -> str:
    """ "Name <number>": the number in international form when it is valid, else as typed."""
    name, typed = contact.recipient
    normalised = numbers.normalise(typed).number if typed else None
    number = format_for_display(normalised) if normalised else typed
    return f"{name} <{number}>"


def group_completion(group: Group) -> str:
    members = "member" if group.member_count == 1 else "members"
    return f"Group: {group.name} ({group.member_count:,} {members})"


def suggestions_for(book: AddressBook, numbers: PhoneNormaliser, text: str) -> list[Suggestion]:
    """The groups, then the contacts, that match `text` (reads the book: call it on a worker)."""
    if not text.strip():
        return []
    suggestions = [
        Suggestion(group_completion(group), group_completion(group), group.id)
        for group in book.search_groups(text, GROUP_LIMIT)
    ]
    for contact in book.search(text, CONTACT_LIMIT):
        completion = contact_completion(contact, numbers)
        display = completion
        if contact.name and contact.organisation:
            display += f" — {contact.organisation}"
        if contact.normalised is None:
            display = f"⚠ {display} (number not valid)"
        suggestions.append(Suggestion(completion, display))
    return suggestions


class SuggestionModel(QAbstractListModel):
    """The popup's rows: the display text, and the completion as the edit role."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Suggestion] = []

    def set_rows(self, suggestions: Sequence[Suggestion]) -> None:
        self.beginResetModel()
        self._rows = list(suggestions)
        self.endResetModel()

    def suggestions(self) -> list[Suggestion]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        suggestion = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return suggestion.display
        if role == Qt.ItemDataRole.EditRole:
            return suggestion.completion
        return None


class RecipientCompleter(QCompleter):
    """Completes the "To:" field from the address book, refreshed as the text changes.

    Signals (QCompleter's own):
        activated(str): a suggestion was chosen; its completion text.
    """

    def __init__(
        self, book: AddressBook, numbers: PhoneNormaliser, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._book = book
        self._numbers = numbers
        self._asking: str | None = None
        self._wanted = ""
        self.suggestion_model = SuggestionModel(self)
        self.setModel(self.suggestion_model)
        # The book has already matched any part of the text; the completer must not
        # filter again by the start of each completion.
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCompletionRole(Qt.ItemDataRole.EditRole)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setMaxVisibleItems(12)

    def set_numbers(self, numbers: PhoneNormaliser) -> None:
        """Write numbers for a new default country from the next suggestion on."""
        self._numbers = numbers

    def splitPath(self, path: str) -> list[str]:
        # Called by the line edit each time its text changes: the moment to ask the book.
        self._want(path)
        return [path]

    def _want(self, text: str) -> None:
        if text == self._wanted:
            return
        self._wanted = text
        if not text.strip():
            self.suggestion_model.set_rows([])
            return
        if self._asking is None:
            self._ask(text)

    def _ask(self, text: str) -> None:
        self._asking = text
        run_task(
            suggestions_for,
            self._book,
            self._numbers,
            text,
            on_done=lambda found: self._answered(text, found),
            on_error=lambda error: self._failed(text, error),
            context=self,
        )

    def _failed(self, text: str, error: Exception) -> None:
        # Typing goes on without suggestions; the address book window shows such errors.
        log.warning("Address book suggestions failed: %s", error)
        self._answered(text, [])

    def _answered(self, text: str, found: list[Suggestion]) -> None:
        self._asking = None
        if text != self._wanted:
            if self._wanted.strip():
                self._ask(self._wanted)
            return
        self.suggestion_model.set_rows(found)
        widget = self.widget()
        if widget is None or not widget.hasFocus():
            return
        popup = self.popup()
        if found:
            self.complete()
        elif popup is not None:
            popup.hide()

    def expand_group_text(self, text: str) -> list[tuple[str, str]] | None:
        """(name, fax number) of each member of the group a "Group: …" completion names.

        None when `text` is not a group completion; an empty list when the
        group is empty or was deleted meanwhile. Reads the book: it takes a
        few milliseconds for a group of hundreds, and is safe to call from a
        worker thread.
        """
        match = _GROUP_TEXT.match(text.strip())
        if match is None:
            return None
        group = self._book.group_by_name(match["name"])
        if group is None:
            return []
        return [contact.recipient for contact in self._book.group_members(group.id)]


def make_recipient_completer(
    book: AddressBook, numbers: PhoneNormaliser, parent: QObject | None = None
) -> RecipientCompleter:
    """A completer for the composer's "To:" field, suggesting from `book`."""
    return RecipientCompleter(book, numbers, parent)
