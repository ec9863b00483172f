"""The "To:" field's suggestions: contacts and groups from the address book as the user types."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from faxgui.compose.phone import PastedEntry, PhoneNormaliser, parse_pasted
from faxgui.jobs.address_book import AddressBook
from faxgui.ui.recipient_completer import RecipientCompleter, make_recipient_completer

# Offscreen, the popup can neither be raised nor grab the keyboard, and Qt says so. (On each
# test: a module's mark would lose to the one tests/ui/conftest.py puts on every test.)
popup_noise = pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise|grabbing|propagateSizeHints)"
)


def to_field(qtbot: QtBot, book: AddressBook, numbers: PhoneNormaliser) -> QLineEdit:
    """A "To:" line edit with the completer, shown, active and focused."""
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.setCompleter(make_recipient_completer(book, numbers, edit))
    edit.show()
    qtbot.waitExposed(edit)
    edit.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is edit)
    edit.setFocus()
    return edit


def completer_of(edit: QLineEdit) -> RecipientCompleter:
    completer = edit.completer()
    assert isinstance(completer, RecipientCompleter)
    return completer


def offered(edit: QLineEdit) -> list[str]:
    return [s.completion for s in completer_of(edit).suggestion_model.suggestions()]


@popup_noise
def test_typing_part_of_a_name_offers_the_contact_to_choose(
    qtbot: QtBot, seeded: AddressBook, numbers: PhoneNormaliser
) -> None:
    edit = to_field(qtbot, seeded, numbers)
    completer = completer_of(edit)
    qtbot.keyClicks(edit, "harb")
    popup = completer.popup()
    assert popup is not None
    qtbot.waitUntil(lambda: popup.isVisible() and offered(edit) == ["Dr Amy Lee <+61 2 8003 9890>"])
    shown = popup.model().index(0, 0).data()
    assert shown == "Dr Amy Lee <+61 2 8003 9890> — Harbour Clinic"
    with qtbot.waitSignal(completer.activated) as chosen:
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert chosen.args == ["Dr Amy Lee <+61 2 8003 9890>"]
    assert edit.text() == "Dr Amy Lee <+61 2 8003 9890>"
    # The composer reads it like any "Name <number>" it is given.
    assert parse_pasted(edit.text()) == [PastedEntry("Dr Amy Lee", "+61 2 8003 9890")]


@popup_noise
def test_a_number_typed_in_part_offers_whoever_has_it(
    qtbot: QtBot, seeded: AddressBook, numbers: PhoneNormaliser
) -> None:
    edit = to_field(qtbot, seeded, numbers)
    qtbot.keyClicks(edit, "(08) 8000")
    qtbot.waitUntil(lambda: offered(edit) == ["Eastern Radiology <+61 8 8000 4321>"])


@popup_noise
def test_a_group_is_offered_first_and_expands_to_all_its_members(
    qtbot: QtBot, seeded: AddressBook, numbers: PhoneNormaliser
) -> None:
    edit = to_field(qtbot, seeded, numbers)
    completer = completer_of(edit)
    qtbot.keyClicks(edit, "refer")
    qtbot.waitUntil(lambda: offered(edit) == ["Group: Referrers (2 members)"])
    popup = completer.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert completer.expand_group_text(edit.text()) == [
        ("Dr Amy Lee", "(02) 8003 9890"),
        ("Dr Raj Patel", "02 9999 0000"),
    ]
    assert completer.expand_group_text("Dr Amy Lee <+61 2 8003 9890>") is None
    assert completer.expand_group_text("Group: Gone (3 members)") == []


@popup_noise
def test_only_the_latest_text_is_answered_when_typing_outruns_the_book(
    qtbot: QtBot, seeded: AddressBook, numbers: PhoneNormaliser
) -> None:
    edit = to_field(qtbot, seeded, numbers)
    qtbot.keyClicks(edit, "jo")
    qtbot.keyClicks(edit, "anna l")
    qtbot.waitUntil(lambda: offered(edit) == ["Joanna Lees <+61 3 9000 1234>"])
    edit.clear()
    qtbot.keyClicks(edit, "dr")
    qtbot.waitUntil(
        lambda: offered(edit) == ["Dr Amy Lee <+61 2 8003 9890>", "Dr Raj Patel <+61 2 9999 0000>"]
    )


@popup_noise
def test_a_contact_whose_number_is_not_valid_is_offered_marked(
    qtbot: QtBot, book: AddressBook, numbers: PhoneNormaliser
) -> None:
    book.add_contact("Dr Chan", "02 8003 98")
    edit = to_field(qtbot, book, numbers)
    qtbot.keyClicks(edit, "chan")
    qtbot.waitUntil(lambda: offered(edit) == ["Dr Chan <02 8003 98>"])
    display = completer_of(edit).suggestion_model.suggestions()[0].display
    assert display == "⚠ Dr Chan <02 8003 98> (number not valid)"
