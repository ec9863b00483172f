"""Recipients come in from the CSV files offices really have, and go back out to one."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.recipients_csv import (
    CsvImportError,
    read_recipients_csv,
    recipients_csv_text,
    write_recipients_csv,
)
from faxgui.compose.validation import Severity


def _write(tmp_path: Path, data: bytes, name: str = "recipients.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_spreadsheet_export_with_a_header_gives_names_numbers_and_extra_columns(
    tmp_path: Path, numbers: PhoneNormaliser
) -> None:
    path = _write(
        tmp_path,
        b"Practice,Fax,Suburb,Contact\r\n"
        b"Harbour Dental,(02) 8003 9890,Pyrmont,Jo\r\n"
        b"Northside Clinic,+61 2 8003 9891,Chatswood,Sam\r\n",
    )
    result = read_recipients_csv(path, numbers)
    assert result.has_header
    assert (result.number_column, result.name_column) == ("Fax", "Contact")
    assert result.extra_columns == ["Practice", "Suburb"]
    assert [(r.name, r.fax_number, r.normalised) for r in result.recipients] == [
        ("Jo", "(02) 8003 9890", "61280039890"),
        ("Sam", "+61 2 8003 9891", "61280039891"),
    ]
    assert result.recipients[0].extra == {"Practice": "Harbour Dental", "Suburb": "Pyrmont"}
    assert result.rows == [2, 3]
    assert result.problems == []


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Name,Phone,Fax number", "Fax number"),
        ("Name,Fax No.,Phone", "Fax No."),
        ("Recipient,Business Fax", "Business Fax"),
        ("contact;NUMBER", "NUMBER"),
        ("Name,Telephone", "Telephone"),
    ],
)
def test_the_fax_column_is_found_by_its_heading_and_wins_over_phone(
    header: str, column: str, numbers: PhoneNormaliser
) -> None:
    delimiter = ";" if ";" in header else ","
    width = header.count(delimiter) + 1
    row = delimiter.join(["Harbour Dental"] + ["02 8003 9890"] * (width - 1))
    result = read_recipients_csv(f"{header}\n{row}\n".encode(), numbers)
    assert result.number_column == column
    assert result.recipients[0].name == "Harbour Dental"
    assert result.recipients[0].normalised == "61280039890"


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"Name;Fax\nHarbour Dental;02 8003 9890\nNorthside;02 8003 9891\n", ";"),
        (b"Name\tFax\nHarbour Dental\t02 8003 9890\nNorthside\t02 8003 9891\n", "\t"),
        (b"Name|Fax\nHarbour Dental|02 8003 9890\nNorthside|02 8003 9891\n", "|"),
        (b'Name,Fax\n"Dental, Harbour",02 8003 9890\nNorthside,02 8003 9891\n', ","),
    ],
)
def test_the_delimiter_is_worked_out_from_the_file(
    data: bytes, delimiter: str, numbers: PhoneNormaliser
) -> None:
    result = read_recipients_csv(data, numbers)
    assert result.delimiter == delimiter
    assert [r.normalised for r in result.recipients] == ["61280039890", "61280039891"]


def test_utf8_with_a_byte_order_mark_keeps_accents_and_the_first_heading(
    numbers: PhoneNormaliser,
) -> None:
    data = codecs.BOM_UTF8 + "Name,Fax\nZoë Nguyễn,02 8003 9890\n".encode()
    result = read_recipients_csv(data, numbers)
    assert result.encoding == "utf-8-sig"
    assert result.name_column == "Name"
    assert result.recipients[0].name == "Zoë Nguyễn"


def test_a_windows_1252_file_from_old_excel_reads_its_accents(numbers: PhoneNormaliser) -> None:
    data = "Name,Fax\nCafé Müller \u2013 Ärzte,02 8003 9890\n".encode("cp1252")
    result = read_recipients_csv(data, numbers)
    assert result.encoding == "cp1252"
    assert result.recipients[0].name == "Café Müller \u2013 Ärzte"


def test_excels_unicode_text_export_is_read(numbers: PhoneNormaliser) -> None:
    data = "Name\tFax\r\nZoë\t02 8003 9890\r\n".encode("utf-16")
    result = read_recipients_csv(data, numbers)
    assert result.encoding == "utf-16"
    assert result.recipients[0].name == "Zoë"
    assert result.recipients[0].normalised == "61280039890"


def test_a_file_without_a_header_is_read_by_what_its_cells_look_like(
    numbers: PhoneNormaliser,
) -> None:
    data = b"Harbour Dental,02 8003 9890,Pyrmont\nNorthside Clinic,02 8003 9891,Chatswood\n"
    result = read_recipients_csv(data, numbers)
    assert not result.has_header
    assert (result.name_column, result.number_column) == ("Column 1", "Column 2")
    assert result.extra_columns == ["Column 3"]
    assert [r.name for r in result.recipients] == ["Harbour Dental", "Northside Clinic"]
    assert result.recipients[1].extra == {"Column 3": "Chatswood"}
    assert result.rows == [1, 2]


def test_a_bare_column_of_numbers_imports(numbers: PhoneNormaliser) -> None:
    result = read_recipients_csv(b"0280039890\n0280039891\n+61 2 8003 9892\n", numbers)
    assert result.name_column is None
    assert [r.normalised for r in result.recipients] == [
        "61280039890",
        "61280039891",
        "61280039892",
    ]


def test_an_unfamiliar_heading_row_above_numbers_is_still_taken_as_a_heading(
    numbers: PhoneNormaliser,
) -> None:
    result = read_recipients_csv(b"Clinic,Where to send\nHarbour,02 8003 9890\n", numbers)
    assert result.has_header
    assert result.number_column == "Where to send"
    assert result.recipients[0].name == "Harbour"


def test_no_row_disappears_silently(numbers: PhoneNormaliser) -> None:
    data = (
        b"Name,Fax\n"
        b"Harbour Dental,02 8003 9890\n"  # row 2
        b"Typo Clinic,02 8003 98\n"  # row 3: too short
        b"No Number Clinic,\n"  # row 4: empty number
        b",\n"  # row 5: empty row
        b"Harbour again,+61 2 8003 9890\n"  # row 6: duplicate of row 2
        b"Sandbox,05 0000 0002\n"  # row 7: a sandbox test number
        b'"Two-line, Clinic\nLevel 2",02 8003 9899\n'  # row 8, with a line break in a cell
        b",\n\n"  # the end of the file, not rows left out
    )
    result = read_recipients_csv(data, numbers)
    assert [r.name for r in result.recipients] == [
        "Harbour Dental",
        "Typo Clinic",
        "No Number Clinic",
        "Harbour again",
        "Sandbox",
        "Two-line, Clinic\nLevel 2",
    ]
    assert result.rows == [2, 3, 4, 6, 7, 8]
    assert result.skipped_rows == [5]
    problems = {(p.row, p.recipient_index, p.severity): p.message for p in result.problems}
    assert problems == {
        (3, 1, Severity.ERROR): "Row 3: This number is too short (02 8003 98).",
        (4, 2, Severity.ERROR): "Row 4 has no fax number.",
        (5, None, Severity.ERROR): "Row 5 is empty and was left out.",
        (6, 3, Severity.WARNING): "Row 6: +61 2 8003 9890 is the same number as row 2.",
    }
    assert result.recipients[1].normalised is None
    assert result.recipients[4].normalised == "61500000002"


def test_numbers_already_in_the_fax_are_flagged_as_duplicates(numbers: PhoneNormaliser) -> None:
    result = read_recipients_csv(
        b"Name,Fax\nHarbour,02 8003 9890\n", numbers, already_added=["61280039890"]
    )
    (problem,) = result.problems
    assert problem.severity is Severity.WARNING
    assert problem.message == (
        "Row 2: 02 8003 9890 is the same number as a recipient already in the fax."
    )


def test_a_file_with_no_numbers_is_refused_with_what_to_do(numbers: PhoneNormaliser) -> None:
    with pytest.raises(CsvImportError, match="Fax number"):
        read_recipients_csv(b"Name,Suburb\nHarbour Dental,Pyrmont\n", numbers)


def test_an_empty_file_is_refused(numbers: PhoneNormaliser) -> None:
    with pytest.raises(CsvImportError, match="empty"):
        read_recipients_csv(b"\r\n,,\r\n", numbers)


def test_imported_recipients_join_a_draft_with_fresh_message_refs(
    numbers: PhoneNormaliser,
) -> None:
    result = read_recipients_csv(b"Name,Fax\nA,02 8003 9890\nB,02 8003 9891\n", numbers)
    draft = Draft.new()
    draft.add_recipients(result.recipients)
    assert [r.message_ref for r in draft.recipients] == [
        f"{draft.send_ref}-M1",
        f"{draft.send_ref}-M2",
    ]


# --------------------------------------------------------------------------- export


def test_export_writes_name_number_reference_and_extra_columns_for_excel(
    tmp_path: Path,
) -> None:
    recipients = [
        Recipient(
            "(02) 8003 9890",
            name="Zoë's Dental",
            normalised="61280039890",
            message_ref="FG-1-S1-M1",
            extra={"Suburb": "Pyrmont"},
        ),
        Recipient("02 8003", name="Typo", message_ref="FG-1-S1-M2", extra={"Notes": "call"}),
    ]
    path = tmp_path / "out.csv"
    write_recipients_csv(recipients, path)
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert data[3:].decode("utf-8").splitlines() == [
        "Name,Fax number,Message reference,Suburb,Notes",
        "Zoë's Dental,(02) 8003 9890,FG-1-S1-M1,Pyrmont,",
        "Typo,02 8003,FG-1-S1-M2,,call",
    ]


def test_export_never_writes_a_cell_a_spreadsheet_would_run_as_a_formula() -> None:
    text = recipients_csv_text(
        [Recipient("+61 2 8003", name='=HYPERLINK("http://x")', extra={"Notes": "@home"})]
    )
    row = text.splitlines()[1]
    assert row == '"\'=HYPERLINK(""http://x"")",\'+61 2 8003,,\'@home'


def test_export_then_import_gives_the_same_recipients(
    tmp_path: Path, numbers: PhoneNormaliser
) -> None:
    draft = Draft.new()
    draft.add_recipient("(02) 8003 9890", numbers, name="Harbour, Dental", extra={"ID": "7"})
    draft.add_recipient("+44 20 7946 0958", numbers, name="London office", extra={"ID": "8"})
    draft.add_recipient("@office", numbers, name="=SUM(A1)", extra={"ID": "-9"})
    path = tmp_path / "round.csv"
    write_recipients_csv(draft.recipients, path)
    result = read_recipients_csv(path, numbers)
    assert [p.message for p in result.problems] == ["Row 4: This is not a phone number (@office)."]
    assert result.recipients == draft.recipients
    assert result.message_ref_column == "Message reference"
