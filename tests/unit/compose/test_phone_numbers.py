"""Fax numbers typed every way a receptionist types them become the digits the service dials."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from faxgui.compose.phone import (
    PhoneNormaliser,
    format_for_display,
    normalise_number,
    region_choices,
    region_name,
)


@pytest.mark.parametrize(
    "typed",
    [
        "+61 2 8003 9890",
        "(02) 8003 9890",
        "0061 2 8003 9890",
        "02-8003-9890",
        "0011 61 2 8003 9890",
        "+61 (0)2 8003 9890",
        "02 8003\u00a09890",
        "  0280039890  ",
    ],
)
def test_an_australian_number_written_any_usual_way_becomes_the_services_form(
    numbers: PhoneNormaliser, typed: str
) -> None:
    result = numbers.normalise(typed)
    assert result.ok
    assert result.number == "61280039890"
    assert result.problem is None
    assert result.text == typed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+44 20 7946 0958", "442079460958"),
        ("0011 44 20 7946 0958", "442079460958"),
        ("00 44 20 7946 0958", "442079460958"),
        ("+1 212-555-0100", "12125550100"),
        ("0412 345 678", "61412345678"),
        ("1300 123 456", "611300123456"),
    ],
)
def test_overseas_mobile_and_business_numbers_are_understood_too(
    numbers: PhoneNormaliser, typed: str, expected: str
) -> None:
    assert numbers.normalise(typed).number == expected


def test_the_sandbox_test_numbers_pass_only_through_the_hook_the_ui_gives() -> None:
    plain = PhoneNormaliser("AU")
    with_hook = PhoneNormaliser("AU", extra_valid=lambda digits: digits.startswith("6150000"))
    for typed in ("+61 5 0000 0002", "05 0000 0002", "(05) 0000-0002"):
        assert plain.normalise(typed).problem == "Not a valid number for Australia"
        assert with_hook.normalise(typed).number == "61500000002"


def test_the_hook_is_asked_with_the_international_digits(numbers: PhoneNormaliser) -> None:
    asked: list[str] = []

    def hook(digits: str) -> bool:
        asked.append(digits)
        return False

    PhoneNormaliser("AU", extra_valid=hook).normalise("05 0000 0040")
    assert asked == ["61500000040"]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "Enter a fax number"),
        ("   ", "Enter a fax number"),
        ("123", "This number is too short"),
        ("02 8003 98", "This number is too short"),
        ("02 8003 98901", "This number is too long"),
        ("8003 9890", "This number is missing its area code"),
        ("+61 9 1234 5678", "Not a valid number for Australia"),
        ("call reception", "This is not a phone number"),
        ("+999 1234 5678", "This number starts with a country code that does not exist"),
        ("02 8003 9890 ext 12", "A fax number cannot have an extension"),
        ("+44 20 7946", "This number is too short"),
    ],
)
def test_a_number_that_cannot_be_used_comes_with_a_reason_a_receptionist_understands(
    numbers: PhoneNormaliser, typed: str, reason: str
) -> None:
    result = numbers.normalise(typed)
    assert not result.ok
    assert result.number is None
    assert result.problem == reason


def test_the_reason_names_the_country_the_number_belongs_to() -> None:
    assert (
        normalise_number("+44 9946 0958 12", "AU").problem
        == "Not a valid number for the United Kingdom"
    )
    assert (
        normalise_number("(555) 010-0000", "US").problem
        == "Not a valid number for the United States"
    )


def test_the_default_country_decides_what_a_national_number_means() -> None:
    assert normalise_number("(212) 555-0100", "US").number == "12125550100"
    assert normalise_number("020 7946 0958", "GB").number == "442079460958"
    assert normalise_number("03 234 5678", "NZ").number == "6432345678"
    assert normalise_number("030 123456", "DE").number == "4930123456"


def test_an_unknown_default_country_is_refused() -> None:
    with pytest.raises(ValueError, match="XX"):
        PhoneNormaliser("XX")


_EXAMPLE_TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.VOIP,
    PhoneNumberType.UAN,
)


def test_every_countrys_example_numbers_read_as_phonenumbers_reads_them() -> None:
    """The fast path for plain digits must never disagree with the library's own parser."""
    checked = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        normaliser = PhoneNormaliser(region)
        for number_type in _EXAMPLE_TYPES:
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is None:
                continue
            expected = phonenumbers.format_number(example, PhoneNumberFormat.E164)[1:]
            for style in (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL):
                written = phonenumbers.format_number(example, style)
                assert normaliser.normalise(written).number == expected, (region, written)
                checked += 1
    assert checked > 1000


def test_the_same_text_twice_gives_the_same_answer_from_the_cache(
    numbers: PhoneNormaliser,
) -> None:
    first = numbers.normalise("(02) 8003 9890")
    assert numbers.normalise("(02) 8003 9890") is first


def test_a_service_number_is_shown_the_international_way() -> None:
    assert format_for_display("61280039890") == "+61 2 8003 9890"
    assert format_for_display("442079460958") == "+44 20 7946 0958"
    assert format_for_display("not digits") == "not digits"
    # A range phonenumbers does not know (the sandbox's test numbers) is grouped like
    # the country's landlines, not run together.
    assert format_for_display("61500000001") == "+61 5 0000 0001"


def test_the_country_chooser_lists_every_country_the_library_knows_by_name() -> None:
    choices = region_choices()
    assert {code for code, _ in choices} == phonenumbers.SUPPORTED_REGIONS
    names = [name for _, name in choices]
    assert names == sorted(names)
    assert region_name("au") == "Australia"
    assert PhoneNormaliser("NZ").region_name == "New Zealand"
