"""The fax header line: its documented codes, a live preview, and a check for unknown codes.

A HeaderFormat is text with codes: `%from%` and `%to%` (the message's
SendFrom and SendTo) and the date and time codes of C's strftime. A `|`
splits the line: what comes before it prints at the left edge of the page,
what comes after at the right, followed by the service's "1 of 1" page count.
Only the first `|` splits; any later one prints as it is. The default
`From %from%, To %to%|%a %b %d %H:%M %Y` prints
"From TSID, To 61022221234" and "Mon Aug 28 15:32 2012 1 of 1".

%U and %W: the API documentation describes %U as "week of the year (Monday as
first day of the week)" and %W as "day of the year (001 - 366)", a copy of
%j's line. Every other code in that table is C's strftime code with C's
description, which is what the service evidently hands the format to, so
both follow strftime here: %U is the week of the year counting weeks from
the first Sunday, %W from the first Monday (days before that first
Sunday/Monday are in week 00). The editor's descriptions say so too.

Names of days and months are English whatever this computer's language,
as the service prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

DEFAULT_HEADER_FORMAT = "From %from%, To %to%|%a %b %d %H:%M %Y"

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class HeaderToken:
    """One code the header format understands, described for the editor's list."""

    token: str
    description: str


TOKENS: tuple[HeaderToken, ...] = (
    HeaderToken("%from%", "The sender ID (SendFrom / TSID) of the fax"),
    HeaderToken("%to%", "The fax number the fax is sent to"),
    HeaderToken("%a", "Weekday name, short (Mon)"),
    HeaderToken("%A", "Weekday name (Monday)"),
    HeaderToken("%b", "Month name, short (Aug)"),
    HeaderToken("%B", "Month name (August)"),
    HeaderToken("%d", "Day of the month (01 to 31)"),
    HeaderToken("%m", "Month as a number (01 to 12)"),
    HeaderToken("%y", "Year, two digits (26)"),
    HeaderToken("%Y", "Year (2026)"),
    HeaderToken("%H", "Hour, 24-hour clock (00 to 23)"),
    HeaderToken("%I", "Hour, 12-hour clock (01 to 12)"),
    HeaderToken("%M", "Minute (00 to 59)"),
    HeaderToken("%S", "Second (00 to 59)"),
    HeaderToken("%p", "AM or PM"),
    HeaderToken("%j", "Day of the year (001 to 366)"),
    HeaderToken("%U", "Week of the year, weeks starting on Sunday (00 to 53)"),
    HeaderToken("%W", "Week of the year, weeks starting on Monday (00 to 53)"),
    HeaderToken("%w", "Day of the week as a number (0 to 6, Sunday is 0)"),
    HeaderToken("%%", "A % sign"),
    HeaderToken("|", "Splits the line: left part | right part"),
)

# %from% and %to% first, so "%f" inside "%from%" is never read as a code.
_CODE = re.compile(r"%from%|%to%|%.?", re.DOTALL)
_DATE_CODES = frozenset("aAbBdmyYHIMSpjUWw")


@dataclass(frozen=True, slots=True)
class HeaderPreview:
    """The header line as it would print: `left` at the left edge, `right` at the right."""

    left: str
    right: str

    def text(self, page: int = 1, pages: int = 1) -> str:
        """The whole line in one string, with the page count the service adds at the end."""
        right = f"{self.right} {page} of {pages}".strip()
        return f"{self.left}   {right}" if self.left else right


def render_header(
    fmt: str | None, send_from: str | None, send_to: str | None, when: datetime
) -> HeaderPreview:
    """The header line `fmt` prints for a fax from `send_from` to `send_to` sent at `when`.

    None for `fmt` means the default format. Unknown codes print as they are
    (see `unknown_tokens`); an empty sender ID or number prints as nothing.
    """
    left, bar, right = (DEFAULT_HEADER_FORMAT if fmt is None else fmt).partition("|")
    values = {"%from%": send_from or "", "%to%": send_to or ""}
    return HeaderPreview(
        _render_part(left, values, when), _render_part(right, values, when) if bar else ""
    )


def unknown_tokens(fmt: str) -> list[str]:
    """The `%` codes in `fmt` the service does not document, each once, in order of appearance.

    A % followed by a space or by nothing is reported as "%".
    """
    unknown: list[str] = []
    for match in _CODE.finditer(fmt):
        code = match.group()
        if code in ("%from%", "%to%", "%%") or (len(code) == 2 and code[1] in _DATE_CODES):
            continue
        if code[1:].isspace():
            code = "%"
        if code not in unknown:
            unknown.append(code)
    return unknown


def header_warnings(fmt: str) -> list[str]:
    """Sentences about codes in `fmt` that will not print what the user expects."""
    warnings: list[str] = []
    for code in unknown_tokens(fmt):
        if code == "%":
            warnings.append("The header has a % on its own; write %% to print a % sign.")
        else:
            warnings.append(f"{code} is not a header code; it will print as it is.")
    return warnings


def _render_part(part: str, values: dict[str, str], when: datetime) -> str:
    def substitute(match: re.Match[str]) -> str:
        code = match.group()
        if code in values:
            return values[code]
        if code == "%%":
            return "%"
        if len(code) == 2 and code[1] in _DATE_CODES:
            return _date_code(code[1], when)
        return code

    return _CODE.sub(substitute, part)


def _date_code(code: str, when: datetime) -> str:
    if code == "a":
        return _DAYS[when.weekday()][:3]
    if code == "A":
        return _DAYS[when.weekday()]
    if code == "b":
        return _MONTHS[when.month - 1][:3]
    if code == "B":
        return _MONTHS[when.month - 1]
    if code == "d":
        return f"{when.day:02d}"
    if code == "m":
        return f"{when.month:02d}"
    if code == "y":
        return f"{when.year % 100:02d}"
    if code == "Y":
        return str(when.year)
    if code == "H":
        return f"{when.hour:02d}"
    if code == "I":
        return f"{(when.hour + 11) % 12 + 1:02d}"
    if code == "M":
        return f"{when.minute:02d}"
    if code == "S":
        return f"{when.second:02d}"
    if code == "p":
        return "AM" if when.hour < 12 else "PM"
    day_of_year = when.timetuple().tm_yday
    if code == "j":
        return f"{day_of_year:03d}"
    if code == "w":
        return str(when.isoweekday() % 7)
    # Week numbers as C counts them: days before the year's first Sunday (%U) or
    # Monday (%W) are in week 00.
    days_since_week_start = when.isoweekday() % 7 if code == "U" else when.weekday()
    return f"{(day_of_year + 6 - days_since_week_start) // 7:02d}"
