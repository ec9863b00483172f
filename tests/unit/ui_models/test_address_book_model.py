"""The address book's table model, without any widget: what each column tells the receptionist."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from faxgui.compose.phone import PhoneNormaliser
from faxgui.jobs.address_book import AddressBook, Contact
from faxgui.ui.address_book_model import (
    COL_GROUPS,
    COL_NAME,
    COL_NOTES,
    COL_NUMBER,
    COL_ORGANISATION,
    HEADERS,
    INVALID_MARK,
    SHARED_NOTE,
    AddressBookModel,
)

NUMBERS = PhoneNormaliser("AU")


@pytest.fixture
def book(tmp_path: Path) -> Iterator[AddressBook]:
    with AddressBook(tmp_path / "contacts.sqlite3", numbers=NUMBERS) as opened:
        yield opened


@pytest.fixture
def contacts(book: AddressBook) -> list[Contact]:
    referrers = book.add_group("Referrers")
    sydney = book.add_group("Sydney")
    book.add_contact(
        "Dr Lee",
        "(02) 8003 9890",
        organisation="Harbour Clinic",
        notes="Referrals only\nCall before 9",
        group_ids=[sydney.id, referrers.id],
    )
    book.add_contact("Front desk", "+61 2 8003 9890", organisation="Harbour Clinic")
    book.add_contact("Dr Chan", "02 8003 98")
    book.add_contact("", "", organisation="Old practice")
    return book.search("", None)


def cell(model: AddressBookModel, row: int, column: int, role: int = 0) -> object:
    return model.data(model.index(row, column), role)


def test_the_columns_say_who_where_which_number_and_which_groups(
    qtmodeltester: ModelTester, contacts: list[Contact]
) -> None:
    model = AddressBookModel(NUMBERS)
    model.set_rows(contacts)
    qtmodeltester.check(model)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(HEADERS))] == [
        "Name",
        "Organisation",
        "Fax number",
        "Groups",
        "Notes",
    ]
    row = model.row_of(contacts[1].id)
    assert row is not None
    assert model.contact(row).name == "Dr Lee"
    assert cell(model, row, COL_NAME) == "Dr Lee"
    assert cell(model, row, COL_ORGANISATION) == "Harbour Clinic"
    assert cell(model, row, COL_NUMBER) == f"(02) 8003 9890 {SHARED_NOTE}"
    assert cell(model, row, COL_GROUPS) == "Referrers, Sydney"
    assert cell(model, row, COL_NOTES) == "Referrals only"
    assert cell(model, row, COL_NOTES, Qt.ItemDataRole.ToolTipRole) == (
        "Referrals only\nCall before 9"
    )


def test_an_invalid_number_is_marked_and_its_tooltip_says_why(contacts: list[Contact]) -> None:
    model = AddressBookModel(NUMBERS)
    model.set_rows(contacts)
    chan = model.row_of(next(c.id for c in contacts if c.name == "Dr Chan"))
    assert chan is not None
    assert cell(model, chan, COL_NUMBER) == f"{INVALID_MARK} 02 8003 98"
    assert cell(model, chan, COL_NUMBER, Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(model, chan, COL_NUMBER, Qt.ItemDataRole.ToolTipRole) == (
        "This number is too short. Edit the contact to correct it."
    )
    empty = model.row_of(next(c.id for c in contacts if c.organisation == "Old practice"))
    assert empty is not None
    assert cell(model, empty, COL_NUMBER) == f"{INVALID_MARK} No number"
    assert "no fax number" in str(cell(model, empty, COL_NUMBER, Qt.ItemDataRole.ToolTipRole))
    assert "too short" in str(cell(model, chan, COL_NUMBER, Qt.ItemDataRole.AccessibleTextRole))


def test_a_number_shared_with_another_contact_says_so(contacts: list[Contact]) -> None:
    model = AddressBookModel(NUMBERS)
    model.set_rows(contacts)
    front_desk = model.row_of(next(c.id for c in contacts if c.name == "Front desk"))
    assert front_desk is not None
    assert cell(model, front_desk, COL_NUMBER) == f"+61 2 8003 9890 {SHARED_NOTE}"
    assert cell(model, front_desk, COL_NUMBER, Qt.ItemDataRole.ToolTipRole) == (
        "1 other contact has this number too."
    )
    # Sharing a fax machine is normal: it is noted, not coloured as a problem.
    assert cell(model, front_desk, COL_NUMBER, Qt.ItemDataRole.ForegroundRole) is None


def test_updating_rows_changes_only_the_contacts_shown(
    qtmodeltester: ModelTester, book: AddressBook, contacts: list[Contact]
) -> None:
    model = AddressBookModel(NUMBERS)
    model.set_rows(contacts[:2])
    qtmodeltester.check(model)
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last: changes.append((first.row(), last.row())))
    renamed = book.update_contact(
        contacts[1].id, name="Dr Amy Lee", fax_number=contacts[1].fax_number
    )
    assert model.update_rows([renamed, contacts[3]]) == [1]
    assert changes == [(1, 1)]
    assert cell(model, 1, COL_NAME) == "Dr Amy Lee"
    assert model.rowCount() == 2
    assert [c.id for c in model.contacts()] == [contacts[0].id, renamed.id]
    model.set_rows([])
    assert model.rowCount() == 0
    assert model.row_of(renamed.id) is None
