"""Fixtures for the address book tests: a real book on disk, seeded, and its window shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from faxgui.compose.phone import PhoneNormaliser
from faxgui.jobs.address_book import AddressBook
from faxgui.ui.address_book_dialog import AddressBookDialog


@pytest.fixture
def numbers() -> PhoneNormaliser:
    return PhoneNormaliser("AU")


@pytest.fixture
def book(tmp_path: Path, numbers: PhoneNormaliser) -> Iterator[AddressBook]:
    """An empty address book in this test's own file."""
    with AddressBook(tmp_path / "contacts.sqlite3", numbers=numbers) as opened:
        yield opened
        # A search may still be running on a worker: close its connection only after it.
        QThreadPool.globalInstance().waitForDone()


@pytest.fixture
def seeded(book: AddressBook) -> AddressBook:
    """Five contacts, two of them Referrers."""
    referrers = book.add_group("Referrers")
    book.add_group("Pathology labs")
    book.add_contact(
        "Dr Amy Lee", "(02) 8003 9890", organisation="Harbour Clinic", group_ids=[referrers.id]
    )
    book.add_contact("Joanna Lees", "03 9000 1234", organisation="Bayside Physio")
    book.add_contact("Front desk", "+61 7 3000 5678", organisation="Northside Medical")
    book.add_contact("", "08 8000 4321", organisation="Eastern Radiology")
    book.add_contact("Dr Raj Patel", "02 9999 0000", group_ids=[referrers.id])
    return book


@pytest.fixture
def open_dialog(qtbot: QtBot) -> Callable[[AddressBook], AddressBookDialog]:
    """Shows the address book window on `book`, once its groups and contacts are listed."""

    def open_(book: AddressBook) -> AddressBookDialog:
        dialog = AddressBookDialog(book)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        total = book.contact_count()
        qtbot.waitUntil(
            lambda: (
                dialog.group_list.count() == len(book.groups()) + 1
                and dialog.model.rowCount() == min(total, 1000)
            )
        )
        return dialog

    return open_
