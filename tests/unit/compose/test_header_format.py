"""The header preview prints what the fax service will print at the top of each page."""

from __future__ import annotations

import locale
from datetime import date, datetime, timedelta

import pytest

from faxgui.compose.header_format import (
    DEFAULT_HEADER_FORMAT,
    TOKENS,
    HeaderPreview,
    header_warnings,
    render_header,
    unknown_tokens,
)

# 28 August 2017 was a Monday, like the documentation's example line.
MONDAY_AFTERNOON = datetime(2017, 8, 28, 15, 32, 7)


def test_the_default_header_prints_like_the_documentations_example() -> None:
    preview = render_header(None, "TSID", "61022221234", MONDAY_AFTERNOON)
    assert preview == HeaderPreview("From TSID, To 61022221234", "Mon Aug 28 15:32 2017")
    assert preview.text() == "From TSID, To 61022221234   Mon Aug 28 15:32 2017 1 of 1"
    assert render_header(DEFAULT_HEADER_FORMAT, "TSID", "61022221234", MONDAY_AFTERNOON) == (
        preview
    )


def test_every_documented_code_prints_its_value() -> None:
    fmt = "%a|%A|%b|%B|%d|%m|%y|%Y|%H|%I|%M|%S|%p|%j|%U|%W|%w|%%"
    preview = render_header(fmt, None, None, MONDAY_AFTERNOON)
    # Only the first | splits the line; the rest print as they are.
    assert preview.left == "Mon"
    assert preview.right == "Monday|Aug|August|28|08|17|2017|15|03|32|07|PM|240|35|35|1|%"


def test_names_are_english_whatever_the_computers_language() -> None:
    previous = locale.setlocale(locale.LC_TIME)
    try:
        for candidate in ("de_DE.UTF-8", "fr_FR.UTF-8", "C"):
            try:
                locale.setlocale(locale.LC_TIME, candidate)
                break
            except locale.Error:
                continue
        preview = render_header("%A %B %p", None, None, datetime(2026, 3, 2, 9, 0))
    finally:
        locale.setlocale(locale.LC_TIME, previous)
    assert preview.left == "Monday March AM"


@pytest.mark.parametrize("code", ["d", "m", "y", "Y", "H", "I", "M", "S", "j", "U", "W", "w"])
def test_numeric_codes_match_strftime_on_every_day_of_three_years(code: str) -> None:
    """%U and %W are strftime's week numbers (see the module's note on the documentation)."""
    day = date(2025, 1, 1)
    while day.year < 2028:
        moment = datetime(day.year, day.month, day.day, day.day % 24, day.month * 4, day.day)
        assert render_header(f"%{code}", None, None, moment).left == moment.strftime(f"%{code}")
        day += timedelta(days=1)


def test_twelve_hour_clock_around_midnight_and_noon() -> None:
    assert render_header("%I %p", None, None, datetime(2026, 1, 1, 0, 5)).left == "12 AM"
    assert render_header("%I %p", None, None, datetime(2026, 1, 1, 12, 5)).left == "12 PM"
    assert render_header("%I %p", None, None, datetime(2026, 1, 1, 23, 5)).left == "11 PM"


def test_a_sender_id_containing_a_bar_does_not_split_the_line() -> None:
    preview = render_header("%from%|%to%", "A|B Clinic", "61280039890", MONDAY_AFTERNOON)
    assert preview == HeaderPreview("A|B Clinic", "61280039890")


def test_a_format_without_a_bar_prints_everything_on_the_left() -> None:
    preview = render_header("Fax from %from%", "Front Desk", None, MONDAY_AFTERNOON)
    assert preview == HeaderPreview("Fax from Front Desk", "")
    assert preview.text(2, 3) == "Fax from Front Desk   2 of 3"


def test_an_empty_format_prints_only_the_page_count() -> None:
    preview = render_header("", "TSID", "61280039890", MONDAY_AFTERNOON)
    assert preview == HeaderPreview("", "")
    assert preview.text() == "1 of 1"


def test_unknown_codes_print_as_they_are_and_are_reported_once() -> None:
    fmt = "%from% %q %FROM% %q 100% off 5%"
    preview = render_header(fmt, "Desk", None, MONDAY_AFTERNOON)
    assert preview.left == "Desk %q %FROM% %q 100% off 5%"
    assert unknown_tokens(fmt) == ["%q", "%F", "%"]
    assert header_warnings(fmt) == [
        "%q is not a header code; it will print as it is.",
        "%F is not a header code; it will print as it is.",
        "The header has a % on its own; write %% to print a % sign.",
    ]


def test_the_default_and_every_documented_code_are_known() -> None:
    assert unknown_tokens(DEFAULT_HEADER_FORMAT) == []
    documented = "%from% %to% %a %A %b %B %d %m %y %Y %H %I %M %S %p %j %U %W %w %%"
    assert unknown_tokens(documented) == []
    assert [t.token for t in TOKENS if t.token != "|"] == documented.split()
    assert all(t.description for t in TOKENS)
