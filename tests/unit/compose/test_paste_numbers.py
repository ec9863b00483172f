"""Pasting a block of numbers (from an email, a spreadsheet, a list) gives one entry each."""

from __future__ import annotations

from faxgui.compose.phone import PastedEntry, parse_pasted


def test_a_column_of_numbers_gives_one_entry_per_line() -> None:
    pasted = "02 8003 9890\r\n(02) 8003 9891\n\n+61 2 8003 9892\n"
    assert parse_pasted(pasted) == [
        PastedEntry("", "02 8003 9890"),
        PastedEntry("", "(02) 8003 9891"),
        PastedEntry("", "+61 2 8003 9892"),
    ]


def test_numbers_separated_by_commas_semicolons_or_tabs_are_split() -> None:
    assert [e.number_text for e in parse_pasted("02 8003 9890, 02 8003 9891;02 8003 9892")] == [
        "02 8003 9890",
        "02 8003 9891",
        "02 8003 9892",
    ]
    assert [e.number_text for e in parse_pasted("0280039890\t0280039891")] == [
        "0280039890",
        "0280039891",
    ]


def test_names_written_beside_numbers_are_kept() -> None:
    pasted = (
        "Harbour Dental <02 8003 9890>\n"
        "Northside Clinic, (02) 8003 9891\n"
        "Dr Lee\t+61 2 8003 9892\n"
        '"Smith & Co"; 02 8003 9893\n'
    )
    assert parse_pasted(pasted) == [
        PastedEntry("Harbour Dental", "02 8003 9890"),
        PastedEntry("Northside Clinic", "(02) 8003 9891"),
        PastedEntry("Dr Lee", "+61 2 8003 9892"),
        PastedEntry("Smith & Co", "02 8003 9893"),
    ]


def test_a_name_with_two_numbers_goes_with_both() -> None:
    assert parse_pasted("Head office, 02 8003 9890, 02 8003 9891") == [
        PastedEntry("Head office", "02 8003 9890"),
        PastedEntry("Head office", "02 8003 9891"),
    ]


def test_a_line_with_no_number_is_kept_so_the_table_can_flag_it() -> None:
    assert parse_pasted("02 8003 9890\nask Jenny for the fax\n") == [
        PastedEntry("", "02 8003 9890"),
        PastedEntry("", "ask Jenny for the fax"),
    ]


def test_an_angle_bracket_number_with_no_name_has_an_empty_name() -> None:
    assert parse_pasted("<02 8003 9890>") == [PastedEntry("", "02 8003 9890")]


def test_empty_paste_gives_nothing() -> None:
    assert parse_pasted("  \n\t\n") == []
