"""Contacts from and to CSV files: every row accounted for, groups made, a round trip exact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.recipients_csv import CsvImportError
from faxgui.compose.validation import Severity
from faxgui.jobs.address_book import AddressBook, read_contacts_csv


@pytest.fixture
def book(tmp_path: Path) -> Iterator[AddressBook]:
    with AddressBook(tmp_path / "contacts.sqlite3", numbers=PhoneNormaliser("AU")) as opened:
        yield opened


def write(tmp_path: Path, text: str, name: str = "contacts.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_file_with_headings_becomes_contacts_in_their_groups(
    book: AddressBook, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Name,Organisation,Fax number,Notes,Groups\n"
        "Dr Lee,Harbour Clinic,(02) 8003 9890,Referrals only,Referrers; Sydney\n"
        'Dr Chan,"Bay Physio, Level 2",02 8003 9891,,referrers\n'
        "Eastern Radiology,,+61 3 9000 1234,After 5pm,\n",
    )
    read = book.read_csv(path)
    assert read.problems == []
    assert read.ignored_columns == []
    result = book.import_contacts(read.rows)
    assert result.groups_created == ("Referrers", "Sydney")
    lee, chan, radiology = book.contacts(result.contact_ids)
    assert (lee.name, lee.organisation, lee.notes, lee.groups) == (
        "Dr Lee",
        "Harbour Clinic",
        "Referrals only",
        ("Referrers", "Sydney"),
    )
    assert lee.normalised == "61280039890"
    assert chan.organisation == "Bay Physio, Level 2"
    assert chan.groups == ("Referrers",)
    assert radiology.normalised == "61390001234"
    referrers = book.group_by_name("Referrers")
    assert referrers is not None
    assert referrers.member_count == 2


def test_rows_with_wrong_or_missing_numbers_are_imported_and_each_reported(
    book: AddressBook, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Name,Fax\n"
        "Dr Lee,02 8003 98\n"
        "Dr Chan,\n"
        ",\n"
        "Dr Patel,02 8003 9890\n"
        "Dr Singh,(02) 8003-9890\n",
    )
    read = book.read_csv(path)
    assert [row.name for row in read.rows] == ["Dr Lee", "Dr Chan", "Dr Patel", "Dr Singh"]
    messages = [(p.row, p.severity, p.message, p.recipient_index) for p in read.problems]
    assert messages == [
        (2, Severity.ERROR, "Row 2: This number is too short (02 8003 98).", 0),
        (3, Severity.ERROR, "Row 3 has no fax number.", 1),
        (4, Severity.ERROR, "Row 4 is empty and was left out.", None),
        (
            6,
            Severity.WARNING,
            "Row 6: (02) 8003-9890 is the same number as row 5.",
            3,
        ),
    ]
    book.import_contacts(read.rows)
    assert book.contact_count() == 4


def test_a_row_with_only_notes_is_left_out_and_said_so(book: AddressBook, tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Fax,Notes\nDr Lee,02 8003 9890,\n,,call first\n")
    read = book.read_csv(path)
    assert [row.name for row in read.rows] == ["Dr Lee"]
    assert [p.message for p in read.problems] == [
        "Row 3 has no name, organisation or fax number and was left out."
    ]


def test_numbers_already_in_the_book_are_pointed_out_before_importing(
    book: AddressBook, tmp_path: Path
) -> None:
    book.add_contact("Dr Lee", "+61 2 8003 9890", organisation="Harbour Clinic")
    path = write(tmp_path, "Name,Fax\nFront desk,02 8003 9890\nDr Chan,02 8003 9891\n")
    read = book.read_csv(path)
    assert list(read.already_in_book) == [0]
    assert read.already_in_book[0].name == "Dr Lee"
    assert [(p.severity, p.message) for p in read.problems] == [
        (
            Severity.WARNING,
            "Row 2: 02 8003 9890 is already in the address book (Dr Lee (Harbour Clinic)).",
        )
    ]
    # The user decides; importing it anyway is allowed, and the shared number shows.
    result = book.import_contacts(read.rows)
    assert book.contact(result.contact_ids[0]).same_number == 1


def test_columns_the_book_has_no_place_for_are_named_not_dropped_silently(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "Name,Fax,Email,Reference\nDr Lee,02 8003 9890,lee@example.org,R1\n")
    read = read_contacts_csv(path, PhoneNormaliser("AU"))
    assert read.ignored_columns == ["Email", "Reference"]


def test_a_company_column_without_a_name_column_fills_the_organisation(tmp_path: Path) -> None:
    path = write(tmp_path, "Company;Fax no\nHarbour Clinic;02 8003 9890\n")
    (row,) = read_contacts_csv(path, PhoneNormaliser("AU")).rows
    assert (row.name, row.organisation, row.normalised) == ("", "Harbour Clinic", "61280039890")


def test_a_file_without_fax_numbers_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Notes\nDr Lee,nice\n")
    with pytest.raises(CsvImportError, match="No column of fax numbers"):
        read_contacts_csv(path, PhoneNormaliser("AU"))


def test_export_then_import_gives_back_the_same_book(book: AddressBook, tmp_path: Path) -> None:
    referrers = book.add_group("Referrers")
    labs = book.add_group("Labs")
    book.add_contact(
        "Dr Zoë Lee",
        "(02) 8003 9890",
        organisation="Harbour Clinic, Level 2",
        notes='Says "urgent"\non a second line',
        group_ids=[referrers.id, labs.id],
    )
    book.add_contact("=SUM(A1)", "+61 3 9000 1234", notes="-not a formula", group_ids=[labs.id])
    book.add_contact("", "02 8003 98", organisation="Old fax")
    path = tmp_path / "export.csv"
    assert book.export_csv(path) == 3
    text = path.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert b"'=SUM(A1)" in text  # a spreadsheet shows it as text instead of running it

    with AddressBook(tmp_path / "other.sqlite3") as other:
        read = other.read_csv(path)
        assert [p.message for p in read.problems] == [
            "Row 4: This number is too short (02 8003 98)."
        ]
        other.import_contacts(read.rows)

        def fields(b: AddressBook) -> list[tuple[object, ...]]:
            return [
                (c.name, c.organisation, c.fax_number, c.normalised, c.notes, c.groups)
                for c in b.search("", None)
            ]

        assert fields(other) == fields(book)
        assert [(g.name, g.member_count) for g in other.groups()] == [
            ("Labs", 2),
            ("Referrers", 1),
        ]


def test_exporting_a_group_writes_only_its_members(book: AddressBook, tmp_path: Path) -> None:
    group = book.add_group("Referrers")
    book.add_contact("Dr Lee", "02 8003 9890", group_ids=[group.id])
    book.add_contact("Dr Chan", "02 8003 9891")
    path = tmp_path / "referrers.csv"
    assert book.export_csv(path, group_id=group.id) == 1
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        '"Name","Organisation","Fax number","Notes","Groups"',
        '"Dr Lee","","02 8003 9890","","Referrers"',
    ]


def test_importing_many_rows_keeps_them_searchable(book: AddressBook, tmp_path: Path) -> None:
    lines = ["Name,Organisation,Fax"]
    lines += [f"Doctor {n},Clinic {n % 7},02 8003 {n:04d}" for n in range(2000)]
    read = book.read_csv(write(tmp_path, "\n".join(lines) + "\n", encoding="cp1252"))
    book.import_contacts(read.rows)
    assert [c.name for c in book.search("doctor 1999")] == ["Doctor 1999"]
    assert [c.name for c in book.search("8003 0042")] == ["Doctor 42"]
    # Contacts added one at a time after the bulk import are indexed too.
    book.add_contact("Dr Quill", "02 8003 9999")
    assert [c.name for c in book.search("quil")] == ["Dr Quill"]
