"""Recipients from and to CSV files, as spreadsheets and address books write them.

Reading finds its own way: the encoding (UTF-8 with or without a byte-order
mark, UTF-16 with one, else Windows-1252), the delimiter (comma, semicolon,
tab or bar: the one that splits the lines into the same number of cells),
whether the first row is a header, and which columns hold the name and the
number (by header: "Fax" or "Fax number" first, then "Number", "Phone"...;
without a header, by what the cells look like). Every other column is kept
as an extra column of the recipient.

No row disappears silently: a row with an invalid number or no number is
still imported (the table flags it), a repeated number is imported and
flagged, and an empty row is reported as left out.

Writing gives Name, Fax number (as the user typed it, so it reads back the
same way with the same default country; the service's digits alone would
not: "442079460958" reads as an Australian number in Australia), Message
reference, then the extra columns, in UTF-8 with a byte-order mark so Excel
reads accents right. Cells a spreadsheet would run as a formula (starting
with = + - @) get a leading apostrophe, which reading takes off again.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from faxgui.compose.draft import Recipient
from faxgui.compose.phone import PhoneNormaliser, looks_like_number
from faxgui.compose.validation import Severity

NAME_HEADER = "Name"
NUMBER_HEADER = "Fax number"
MESSAGE_REF_HEADER = "Message reference"

# Header names, compared after `_header_key`; earlier entries win when several columns match.
_NUMBER_HEADERS = (
    "fax number",
    "fax",
    "fax no",
    "fax num",
    "faxnumber",
    "facsimile",
    "number",
    "phone number",
    "phone",
    "telephone",
    "telephone number",
    "tel",
)
_NAME_HEADERS = (
    "name",
    "recipient",
    "recipient name",
    "contact",
    "contact name",
    "full name",
    "company",
    "organisation",
    "organization",
)
_REF_HEADERS = ("message reference", "message ref", "messageref", "reference")
_DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_LINES = 50
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What reading takes off again: the apostrophe `safe_cell` put before such a character.
_FORMULA_CHARS = frozenset(_FORMULA_START)


class CsvImportError(ValueError):
    """A file that cannot be read as a list of recipients at all; the message says why."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Something wrong with one row of the file.

    `row` is the row as a spreadsheet numbers it (the header is row 1).
    `recipient_index` is the row's place in `CsvImport.recipients`, or None
    when the row was left out.
    """

    row: int
    message: str
    recipient_index: int | None
    severity: Severity = Severity.ERROR


@dataclass(slots=True)
class CsvImport:
    """What a CSV file held, and how it was read."""

    recipients: list[Recipient]
    rows: list[int]
    """The spreadsheet row of each recipient, in step with `recipients`."""
    problems: list[RowProblem]
    number_column: str
    name_column: str | None
    extra_columns: list[str]
    encoding: str
    delimiter: str
    has_header: bool
    message_ref_column: str | None = None
    skipped_rows: list[int] = field(default_factory=list)


def read_recipients_csv(
    source: str | os.PathLike[str] | bytes,
    numbers: PhoneNormaliser,
    *,
    already_added: Iterable[str] = (),
) -> CsvImport:
    """The recipients in a CSV file (its path, or its bytes), numbers normalised with `numbers`.

    `already_added` are normalised numbers the draft already has, so rows
    repeating them are flagged as duplicates too. Raises OSError when the
    file cannot be read and CsvImportError when it holds no fax numbers.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    text, encoding = _decode(data)
    delimiter = _sniff_delimiter(text.splitlines())
    # Read from the text itself, not from its lines: a quoted cell may hold a line break.
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    filled = {i for i, row in enumerate(table) if _has_content(row)}
    if not filled:
        raise CsvImportError("The file is empty: there are no rows to import.")
    first, last = min(filled), max(filled)
    width = max(len(row) for row in table)
    has_header, columns = _columns(table, first, width)
    number_col = columns.number
    if number_col is None:
        raise CsvImportError(
            "No column of fax numbers was found. Give the column of numbers the heading "
            "“Fax number” in the first row and import the file again."
        )
    names = _column_names(table[first] if has_header else [], width)
    extra_cols = [
        c for c in range(width) if c not in (number_col, columns.name, columns.message_ref)
    ]
    result = CsvImport(
        recipients=[],
        rows=[],
        problems=[],
        number_column=names[number_col],
        name_column=None if columns.name is None else names[columns.name],
        extra_columns=[names[c] for c in extra_cols],
        encoding=encoding,
        delimiter=delimiter,
        has_header=has_header,
        message_ref_column=None if columns.message_ref is None else names[columns.message_ref],
    )
    seen: dict[str, int] = {number: 0 for number in already_added}
    start = first + 1 if has_header else first
    # Blank rows after the last filled one are the end of the file, not rows left out.
    for line_index in range(start, last + 1):
        row = table[line_index]
        row_number = line_index + 1
        if line_index not in filled:
            result.skipped_rows.append(row_number)
            result.problems.append(
                RowProblem(row_number, f"Row {row_number} is empty and was left out.", None)
            )
            continue
        cells = [
            cell[1:] if cell[:1] == "'" and cell[1:2] in _FORMULA_CHARS else cell for cell in row
        ] + [""] * (width - len(row))
        recipient = Recipient(
            fax_number=cells[number_col].strip(),
            name="" if columns.name is None else cells[columns.name].strip(),
            message_ref="" if columns.message_ref is None else cells[columns.message_ref].strip(),
            extra={names[c]: cells[c].strip() for c in extra_cols},
        )
        index = len(result.recipients)
        result.recipients.append(recipient)
        result.rows.append(row_number)
        problem = _number_problem(recipient, numbers, seen, row_number, index)
        if problem is not None:
            result.problems.append(problem)
    return result


def _number_problem(
    recipient: Recipient,
    numbers: PhoneNormaliser,
    seen: dict[str, int],
    row_number: int,
    index: int,
) -> RowProblem | None:
    if not recipient.fax_number:
        return RowProblem(row_number, f"Row {row_number} has no fax number.", index)
    phone = numbers.normalise(recipient.fax_number)
    recipient.normalised = phone.number
    if phone.number is None:
        return RowProblem(
            row_number, f"Row {row_number}: {phone.problem} ({recipient.fax_number}).", index
        )
    earlier = seen.setdefault(phone.number, row_number)
    if earlier == row_number:
        return None
    where = "a recipient already in the fax" if earlier == 0 else f"row {earlier}"
    return RowProblem(
        row_number,
        f"Row {row_number}: {recipient.fax_number} is the same number as {where}.",
        index,
        Severity.WARNING,
    )


# --------------------------------------------------------------------------- reading


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab separated.
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # Five bytes are undefined in cp1252; Latin-1 reads them rather than failing.
        return data.decode("latin-1"), "latin-1"


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the most consistent number of cells."""
    sample = [line for line in lines[: _SAMPLE_LINES * 2] if line.strip()][:_SAMPLE_LINES]
    best, best_score = ",", (0.0, 0)
    for delimiter in _DELIMITERS:
        widths = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        score = (count / len(widths), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _has_content(row: Sequence[str]) -> bool:
    return any(cell.strip() for cell in row)


def _header_key(cell: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", cell.lower()).split())


@dataclass(slots=True)
class _Columns:
    number: int | None = None
    name: int | None = None
    message_ref: int | None = None


def _columns(table: list[list[str]], first: int, width: int) -> tuple[bool, _Columns]:
    """Whether row `first` is a header, and which columns hold the number, name and ref."""
    header = [_header_key(cell) for cell in table[first]]
    columns = _Columns(
        number=_find_header(header, _NUMBER_HEADERS, prefix="fax"),
        name=_find_header(header, _NAME_HEADERS),
        message_ref=_find_header(header, _REF_HEADERS),
    )
    sample = [row for row in table[first + 1 : first + 1 + _SAMPLE_LINES] if _has_content(row)]
    has_header = columns != _Columns() or (
        # A first row with no digits above rows of numbers is a header we do not know.
        not any(ch.isdigit() for cell in table[first] for ch in cell)
        and _number_column(sample, width) is not None
    )
    data = sample if has_header else [table[first], *sample]
    if columns.number is None:
        columns.number = _number_column(data, width)
    if columns.name is None:
        columns.name = _name_column(data, width, exclude={columns.number, columns.message_ref})
    return has_header, columns


def _find_header(header: list[str], names: tuple[str, ...], prefix: str = "") -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    if prefix:
        for index, key in enumerate(header):
            if key.startswith(prefix + " ") or key.endswith(" " + prefix):
                return index
    return None


def _number_column(rows: list[list[str]], width: int) -> int | None:
    best, best_share = None, 0.5
    for column in range(width):
        cells = [row[column] for row in rows if column < len(row) and row[column].strip()]
        if not cells:
            continue
        share = sum(looks_like_number(cell) for cell in cells) / len(rows)
        if share > best_share:
            best, best_share = column, share
    return best


def _name_column(rows: list[list[str]], width: int, exclude: set[int | None]) -> int | None:
    for column in range(width):
        if column in exclude:
            continue
        cells = [row[column] for row in rows if column < len(row) and row[column].strip()]
        if cells and sum(any(ch.isalpha() for ch in c) for c in cells) * 2 > len(cells):
            return column
    return None


def _column_names(header: list[str], width: int) -> list[str]:
    """A distinct name for each column: its heading, else "Column 3"."""
    names: list[str] = []
    for index in range(width):
        base = header[index].strip() if index < len(header) else ""
        name = base or f"Column {index + 1}"
        if name in names:
            name = f"{name} ({index + 1})"
        names.append(name)
    return names


# --------------------------------------------------------------------------- writing


def recipients_csv_text(recipients: Sequence[Recipient]) -> str:
    """The recipients as CSV text: Name, Fax number, Message reference, then extra columns."""
    extra: dict[str, None] = {}
    for recipient in recipients:
        extra.update(dict.fromkeys(recipient.extra))
    reserved = {NAME_HEADER, NUMBER_HEADER, MESSAGE_REF_HEADER}
    extra_names = [name for name in extra if name not in reserved]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([NAME_HEADER, NUMBER_HEADER, MESSAGE_REF_HEADER, *extra_names])
    for recipient in recipients:
        writer.writerow(
            [
                safe_cell(recipient.name),
                safe_cell(recipient.fax_number),
                safe_cell(recipient.message_ref),
                *(safe_cell(recipient.extra.get(name, "")) for name in extra_names),
            ]
        )
    return out.getvalue()


def write_recipients_csv(recipients: Sequence[Recipient], path: Path) -> None:
    """Write the recipients to `path` (replacing it whole, never half-written). Raises OSError."""
    data = codecs.BOM_UTF8 + recipients_csv_text(recipients).encode("utf-8")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value
