"""The address book's contacts and groups: kept in their own file, shared numbers flagged."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from faxgui.compose.phone import PhoneNormaliser
from faxgui.jobs.address_book import (
    MIGRATIONS,
    AddressBook,
    AddressBookError,
    GroupNameError,
    UnknownContactError,
    UnknownGroupError,
    default_address_book_path,
)
from faxgui.jobs.schema import schema_version


@pytest.fixture
def book(tmp_path: Path) -> Iterator[AddressBook]:
    with AddressBook(tmp_path / "contacts.sqlite3", numbers=PhoneNormaliser("AU")) as opened:
        yield opened


def test_the_book_lives_in_its_own_file_in_the_users_data_directory(private_home: Path) -> None:
    with AddressBook() as book:
        assert book.path == default_address_book_path()
        assert book.path.name == "contacts.sqlite3"
        assert book.path.is_relative_to(private_home / "data")
        book.add_contact("Dr Lee", "02 8003 9890")
    connection = sqlite3.connect(default_address_book_path())
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert schema_version(connection) == len(MIGRATIONS)
    finally:
        connection.close()


def test_a_contact_keeps_the_number_as_typed_and_in_the_services_form(book: AddressBook) -> None:
    contact = book.add_contact(
        " Dr Lee ", "(02) 8003 9890", organisation="Harbour Clinic", notes="Referrals only"
    )
    assert (contact.name, contact.organisation, contact.notes) == (
        "Dr Lee",
        "Harbour Clinic",
        "Referrals only",
    )
    assert contact.fax_number == "(02) 8003 9890"
    assert contact.normalised == "61280039890"
    assert contact.label == "Dr Lee (Harbour Clinic)"
    assert contact.recipient == ("Dr Lee", "(02) 8003 9890")
    assert contact.created == contact.updated
    assert book.contact(contact.id) == contact


def test_an_invalid_number_is_kept_but_has_no_normalised_form(book: AddressBook) -> None:
    contact = book.add_contact("Old fax", "02 8003 98")
    assert contact.fax_number == "02 8003 98"
    assert contact.normalised is None


def test_a_contact_with_nothing_in_it_is_refused(book: AddressBook) -> None:
    with pytest.raises(ValueError, match="name, an organisation or a fax number"):
        book.add_contact("  ", "")
    assert book.contact_count() == 0


def test_an_office_without_a_persons_name_goes_by_its_organisation(book: AddressBook) -> None:
    contact = book.add_contact("", "02 8003 9890", organisation="Harbour Clinic")
    assert contact.label == "Harbour Clinic"
    assert contact.recipient == ("Harbour Clinic", "02 8003 9890")


def test_editing_a_contact_replaces_its_details_and_keeps_its_groups(book: AddressBook) -> None:
    group = book.add_group("Referrers")
    contact = book.add_contact("Dr Lee", "02 8003 9890", group_ids=[group.id])
    edited = book.update_contact(
        contact.id, name="Dr Amy Lee", fax_number="+61 2 8003 9891", organisation="Harbour"
    )
    assert edited.name == "Dr Amy Lee"
    assert edited.normalised == "61280039891"
    assert edited.groups == ("Referrers",)
    assert edited.created == contact.created
    assert edited.updated >= contact.updated
    moved = book.update_contact(
        contact.id, name="Dr Amy Lee", fax_number="0280039891", group_ids=[]
    )
    assert moved.groups == ()


def test_editing_or_reading_a_deleted_contact_says_it_is_gone(book: AddressBook) -> None:
    contact = book.add_contact("Dr Lee", "02 8003 9890")
    assert book.delete_contacts([contact.id]) == 1
    with pytest.raises(UnknownContactError) as raised:
        book.update_contact(contact.id, name="x", fax_number="02 8003 9890")
    assert "no longer in the address book" in str(raised.value)
    with pytest.raises(UnknownContactError):
        book.contact(contact.id)
    assert book.delete_contacts([contact.id]) == 0


def test_a_shared_number_is_allowed_and_reported_on_both_contacts(book: AddressBook) -> None:
    first = book.add_contact("Dr Lee", "02 8003 9890")
    assert first.same_number == 0
    second = book.add_contact("Front desk", "+61 2 8003 9890", organisation="Harbour Clinic")
    assert second.same_number == 1
    assert book.contact(first.id).same_number == 1
    assert [c.id for c in book.contacts_with_number("61280039890")] == [first.id, second.id]
    assert [c.id for c in book.contacts_with_number("61280039890", exclude_id=first.id)] == [
        second.id
    ]


def test_contacts_by_id_come_back_in_the_order_asked_without_the_deleted(
    book: AddressBook,
) -> None:
    ids = [book.add_contact(f"Clinic {n}", f"02 8003 98{n:02d}").id for n in range(3)]
    book.delete_contacts([ids[1]])
    assert [c.name for c in book.contacts([ids[2], ids[1], ids[0]])] == ["Clinic 2", "Clinic 0"]


def test_groups_hold_many_contacts_and_a_contact_many_groups(book: AddressBook) -> None:
    referrers = book.add_group("Referrers")
    labs = book.add_group("Pathology labs")
    lee = book.add_contact("Dr Lee", "02 8003 9890", group_ids=[referrers.id, labs.id])
    chan = book.add_contact("Dr Chan", "02 8003 9891")
    assert book.add_members(referrers.id, [chan.id, lee.id]) == 1
    assert [c.name for c in book.group_members(referrers.id)] == ["Dr Chan", "Dr Lee"]
    assert book.contact(lee.id).groups == ("Pathology labs", "Referrers")
    assert [(g.name, g.member_count) for g in book.groups()] == [
        ("Pathology labs", 1),
        ("Referrers", 2),
    ]
    assert book.remove_members(referrers.id, [lee.id]) == 1
    assert [c.name for c in book.group_members(referrers.id)] == ["Dr Chan"]
    assert book.contact(lee.id).groups == ("Pathology labs",)


def test_deleting_a_group_keeps_its_members_and_deleting_a_member_leaves_the_group(
    book: AddressBook,
) -> None:
    group = book.add_group("Referrers")
    lee = book.add_contact("Dr Lee", "02 8003 9890", group_ids=[group.id])
    chan = book.add_contact("Dr Chan", "02 8003 9891", group_ids=[group.id])
    book.delete_contacts([chan.id])
    assert book.group(group.id).member_count == 1
    book.delete_group(group.id)
    assert book.contact(lee.id).groups == ()
    with pytest.raises(UnknownGroupError):
        book.group_members(group.id)
    with pytest.raises(UnknownGroupError):
        book.delete_group(group.id)


def test_group_names_are_unique_without_regard_to_case(book: AddressBook) -> None:
    group = book.add_group("Referrers")
    with pytest.raises(GroupNameError, match="already a group called “Referrers”"):
        book.add_group(" referrers ")
    other = book.add_group("Labs")
    with pytest.raises(GroupNameError, match="already a group"):
        book.rename_group(other.id, "REFERRERS")
    assert book.rename_group(group.id, "referrers").name == "referrers"
    with pytest.raises(GroupNameError, match="Enter a name"):
        book.add_group("   ")
    with pytest.raises(GroupNameError, match="cannot contain"):
        book.add_group("Labs; Imaging")
    assert book.group_by_name("LABS") == other


def test_putting_a_contact_in_a_missing_group_changes_nothing(book: AddressBook) -> None:
    with pytest.raises(UnknownGroupError):
        book.add_contact("Dr Lee", "02 8003 9890", group_ids=[999])
    assert book.contact_count() == 0
    with pytest.raises(UnknownGroupError):
        book.add_members(999, [1])


def test_group_search_finds_any_part_of_the_name_starting_matches_first(
    book: AddressBook,
) -> None:
    for name in ("Pathology labs", "Labs north", "Referrers"):
        book.add_group(name)
    assert [g.name for g in book.search_groups("lab")] == ["Labs north", "Pathology labs"]
    assert book.search_groups("  ") == []


def test_a_new_default_country_reads_national_numbers_again(book: AddressBook) -> None:
    national = book.add_contact("London office", "020 7946 0958")
    international = book.add_contact("Sydney office", "+61 2 8003 9890")
    assert national.normalised is None  # not an Australian number
    assert book.renormalise(PhoneNormaliser("GB")) == 1
    assert book.contact(national.id).normalised == "442079460958"
    assert book.contact(international.id).normalised == "61280039890"
    assert book.add_contact("Leeds", "0113 496 0000").normalised == "441134960000"


def test_everything_is_still_there_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "contacts.sqlite3"
    with AddressBook(path) as book:
        group = book.add_group("Referrers")
        book.add_contact("Dr Lee", "02 8003 9890", group_ids=[group.id])
    with AddressBook(path) as book:
        (contact,) = book.search("")
        assert contact.groups == ("Referrers",)
        assert book.search("lee") == [contact]


def test_a_book_from_a_newer_faxgui_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "contacts.sqlite3"
    AddressBook(path).close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE schema_version SET version = 99")
    connection.commit()
    connection.close()
    with pytest.raises(AddressBookError, match="newer version of faxgui"):
        AddressBook(path)


def test_threads_each_use_their_own_connection_at_the_same_time(book: AddressBook) -> None:
    group = book.add_group("Everyone")
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(25):
                contact = book.add_contact(f"Worker {worker} #{n}", f"02 8003 {worker}{n:03d}")
                book.add_members(group.id, [contact.id])
                book.search(f"worker {worker}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert book.contact_count() == 150
    assert book.group(group.id).member_count == 150


def test_a_closed_book_says_so(tmp_path: Path) -> None:
    book = AddressBook(tmp_path / "contacts.sqlite3")
    book.close()
    with pytest.raises(AddressBookError, match="closed"):
        book.contact_count()
