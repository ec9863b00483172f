"""The address book: contacts and groups of fax recipients, in their own SQLite file.

`contacts.sqlite3` in the user's data directory, next to the job store and
kept apart from it: the fax history can be cleared or moved without losing
anyone's numbers. WAL mode, one connection per thread, tables made by the
job store's migration mechanism (`faxgui.jobs.schema.migrate`).

Each contact keeps its fax number as typed and the service's form of it
(None while the number is not valid), normalised with the `PhoneNormaliser`
the book was opened with. Two contacts may share a number: the book reports
it (`Contact.same_number`, `contacts_with_number`) and never refuses it.
Group names are unique, compared without case.

Search finds any part of a name, organisation or number ("arb" finds
Harbour Clinic; "8003 98" finds (02) 8003 9890). Words of three characters
or more go through an FTS5 trigram index, kept up to date by triggers;
shorter words, and every word on an SQLite built without FTS5, are matched
with LIKE. A number matches its digits as typed anywhere, and the service's
form only from its start ("12" is in every 61 2 number). With 50,000
contacts most searches take under a millisecond, a common fragment such as
"harb" or "lee" 5 to 20 ms, and the rare text that matches a fifth of the
book ("612": every Sydney number) about 100 ms; without FTS5 a word of
three letters or more costs about 40 ms. tests/unit/jobs/
test_address_book_search.py holds the common cases under 50 ms.

The index is derived data, set up when the book opens rather than by a
migration: a file opened once by an SQLite without FTS5 has its triggers
dropped so writes still work, and the index is rebuilt from the contacts
when FTS5 is back.

CSV files are read by `faxgui.compose.recipients_csv` (encoding, delimiter,
header and number column found the same way as for the composer's
recipients); the columns Organisation, Notes and Groups (group names
separated by ";") are picked out of its extra columns by their headings.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import phonenumbers
import platformdirs

from faxgui.compose.phone import PhoneNormaliser, looks_like_number
from faxgui.compose.recipients_csv import RowProblem, read_recipients_csv, safe_cell
from faxgui.compose.validation import Severity
from faxgui.jobs.schema import SchemaTooNewError, migrate
from faxgui.jobs.sqlite import ThreadConnections

FILE_NAME = "contacts.sqlite3"

# Append, never edit (see faxgui.jobs.schema).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            organisation TEXT NOT NULL DEFAULT '',
            fax_number TEXT NOT NULL DEFAULT '',
            digits TEXT NOT NULL DEFAULT '',
            normalised TEXT,
            notes TEXT NOT NULL DEFAULT '',
            sort_key TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )
        """,
        "CREATE INDEX contacts_by_sort_key ON contacts (sort_key, id)",
        "CREATE INDEX contacts_by_number ON contacts (normalised)",
        """
        CREATE TABLE contact_groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE group_members (
            group_id INTEGER NOT NULL REFERENCES contact_groups (id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            PRIMARY KEY (group_id, contact_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX group_members_by_contact ON group_members (contact_id)",
    ),
)

# The trigram index finds substrings of this many characters or more.
_SHORTEST_INDEXED = 3
_SEARCH_COLUMNS = "name, organisation, digits"
_SEARCH_TRIGGERS = {
    "contact_search_insert": f"""
        CREATE TRIGGER contact_search_insert AFTER INSERT ON contacts BEGIN
            INSERT INTO contact_search (rowid, {_SEARCH_COLUMNS})
            VALUES (new.id, new.name, new.organisation, new.digits);
        END
    """,
    "contact_search_delete": f"""
        CREATE TRIGGER contact_search_delete AFTER DELETE ON contacts BEGIN
            INSERT INTO contact_search (contact_search, rowid, {_SEARCH_COLUMNS})
            VALUES ('delete', old.id, old.name, old.organisation, old.digits);
        END
    """,
    "contact_search_update": f"""
        CREATE TRIGGER contact_search_update AFTER UPDATE ON contacts BEGIN
            INSERT INTO contact_search (contact_search, rowid, {_SEARCH_COLUMNS})
            VALUES ('delete', old.id, old.name, old.organisation, old.digits);
            INSERT INTO contact_search (rowid, {_SEARCH_COLUMNS})
            VALUES (new.id, new.name, new.organisation, new.digits);
        END
    """,
}

# Group names inside one query column: a character no one types.
_GROUP_SEPARATOR = "\x1f"
_CONTACT_COLUMNS = f"""
    c.id, c.name, c.organisation, c.fax_number, c.normalised, c.notes, c.created, c.updated,
    (SELECT group_concat(g.name, char({ord(_GROUP_SEPARATOR)}))
       FROM group_members m JOIN contact_groups g ON g.id = m.group_id
      WHERE m.contact_id = c.id),
    (SELECT count(*) FROM contacts d WHERE d.normalised = c.normalised AND d.id != c.id)
"""
_GROUP_COLUMNS = """
    g.id, g.name, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id)
"""
# SQLite's limit on bound parameters is 32766; lists of ids go in slices well under it.
_CHUNK = 500

CSV_HEADERS = ("Name", "Organisation", "Fax number", "Notes", "Groups")
GROUP_NAME_SEPARATOR = ";"
"""Between group names in the Groups column of a CSV file."""

# Column headings, compared after `_header_key`, for the columns picked out of a CSV file.
_ORGANISATION_HEADERS = frozenset(
    {"organisation", "organization", "company", "practice", "business", "firm"}
)
_NOTES_HEADERS = frozenset({"notes", "note", "comments", "comment", "remarks"})
_GROUPS_HEADERS = frozenset({"groups", "group", "lists", "list", "categories", "category"})


def default_address_book_path() -> Path:
    """Where the address book lives (honours XDG_DATA_HOME and the platform conventions)."""
    return Path(platformdirs.user_data_dir("faxgui", appauthor=False)) / FILE_NAME


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Contact:
    """One person or office in the address book.

    `fax_number` is as the user typed it; `normalised` is the service's form
    ("61280039890"), or None when the number is not valid. `groups` are the
    names of the groups it belongs to, sorted; `same_number` counts the other
    contacts with the same normalised number.
    """

    id: int
    name: str
    organisation: str
    fax_number: str
    normalised: str | None
    notes: str
    created: datetime
    updated: datetime
    groups: tuple[str, ...] = ()
    same_number: int = 0

    @property
    def label(self) -> str:
        """Who it is in a few words: "Dr Lee (Harbour Clinic)", or whichever part there is."""
        if self.name and self.organisation:
            return f"{self.name} ({self.organisation})"
        return self.name or self.organisation or self.fax_number

    @property
    def recipient(self) -> tuple[str, str]:
        """(name, fax number as typed) for a fax: the name, else the organisation."""
        return (self.name or self.organisation, self.fax_number)


@dataclass(frozen=True, slots=True)
class Group:
    """A named list of contacts, faxed all at once."""

    id: int
    name: str
    member_count: int


@dataclass(frozen=True, slots=True)
class ContactRow:
    """One row of a CSV file, read as a contact; `row` is the spreadsheet's row number."""

    row: int
    name: str
    organisation: str
    fax_number: str
    normalised: str | None
    notes: str = ""
    groups: tuple[str, ...] = ()


@dataclass(slots=True)
class ContactsCsv:
    """What a CSV file of contacts held, and what is worth telling the user before importing.

    `problems` carry the index of their row in `rows` (`recipient_index`), or
    None for a row that was left out (an empty one). `ignored_columns` are
    the file's columns that are none of name, organisation, fax number, notes
    or groups. `already_in_book` maps an index in `rows` to a contact that has
    the same number (filled in by `AddressBook.read_csv`).
    """

    rows: list[ContactRow]
    problems: list[RowProblem]
    ignored_columns: list[str]
    already_in_book: dict[int, Contact] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What `AddressBook.import_contacts` added."""

    contact_ids: tuple[int, ...]
    groups_created: tuple[str, ...]


# --------------------------------------------------------------------------- errors


class AddressBookError(Exception):
    """An address book operation that cannot be done; the message says what to do instead."""


class UnknownContactError(AddressBookError, KeyError):
    """No contact with that id (it was deleted meanwhile)."""

    def __str__(self) -> str:
        return "That contact is no longer in the address book. Search for it again."


class UnknownGroupError(AddressBookError, KeyError):
    """No group with that id (it was deleted meanwhile)."""

    def __str__(self) -> str:
        return "That group is no longer in the address book. Choose another group."


class GroupNameError(AddressBookError):
    """A group name that is empty or already taken."""


# --------------------------------------------------------------------------- helpers


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())


def _sort_key(name: str, organisation: str, fax_number: str) -> str:
    return (name or organisation or fax_number).casefold()


def _clean_group_names(names: Iterable[str]) -> list[str]:
    """The names stripped, empty ones dropped, repeats (in any case) dropped."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for name in names:
        stripped = name.strip()
        if stripped and stripped.casefold() not in seen:
            seen.add(stripped.casefold())
            cleaned.append(stripped)
    return cleaned


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _contact(row: Sequence[Any]) -> Contact:
    groups = tuple(sorted(row[8].split(_GROUP_SEPARATOR), key=str.casefold)) if row[8] else ()
    return Contact(
        id=row[0],
        name=row[1],
        organisation=row[2],
        fax_number=row[3],
        normalised=row[4],
        notes=row[5],
        created=datetime.fromisoformat(row[6]),
        updated=datetime.fromisoformat(row[7]),
        groups=groups,
        same_number=row[9],
    )


def search_terms(text: str) -> list[str]:
    """The words a search looks for; a number, however it is written, is one word of digits.

    "(02) 8003 98" gives ["02800398"]; "Lee harbour" gives ["Lee", "harbour"];
    "Dr (02)" gives ["Dr", "02"].
    """
    stripped = text.strip()
    if not stripped:
        return []
    if looks_like_number(stripped):
        return [_digits(stripped)]
    terms: list[str] = []
    for word in stripped.split():
        term = _digits(word) if looks_like_number(word) else word
        if term:
            terms.append(term)
    return terms


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _fts5_trigram_available() -> bool:
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize = 'trigram')")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


# --------------------------------------------------------------------------- the book


class AddressBook:
    """The address book in one SQLite file; safe to use from any number of threads.

    `numbers` normalises fax numbers (Australian by default). With
    `search_index=False` searches go without the FTS5 index, as they do on an
    SQLite built without FTS5. `close()` closes every thread's connection.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        numbers: PhoneNormaliser | None = None,
        search_index: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._path = path if path is not None else default_address_book_path()
        self._set_numbers(numbers if numbers is not None else PhoneNormaliser())
        self._clock = clock if clock is not None else (lambda: datetime.now(UTC))
        self._db = ThreadConnections(
            self._path, lambda: AddressBookError("The address book is closed. Open it again.")
        )
        connection = self._connection()
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            try:
                migrate(connection, MIGRATIONS)
            except SchemaTooNewError as exc:
                raise AddressBookError(
                    f"The address book was written by a newer version of faxgui (schema "
                    f"{exc.found}; this version knows up to {len(MIGRATIONS)}). Update "
                    "faxgui to open it."
                ) from exc
            self._indexed = self._prepare_search_index(search_index and _fts5_trigram_available())
        except BaseException:
            self.close()
            raise

    def _set_numbers(self, numbers: PhoneNormaliser) -> None:
        self._numbers = numbers
        self._country_code = phonenumbers.country_code_for_region(numbers.default_region)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(numbers.default_region)
        self._trunk_prefix = metadata.national_prefix if metadata is not None else None

    @property
    def path(self) -> Path:
        return self._path

    @property
    def numbers(self) -> PhoneNormaliser:
        """The normaliser the book's numbers were read with."""
        return self._numbers

    @property
    def indexed_search(self) -> bool:
        """True when searches use the FTS5 trigram index."""
        return self._indexed

    def close(self) -> None:
        """Close every connection; the book cannot be used afterwards. Safe to repeat."""
        self._db.close()

    def __enter__(self) -> AddressBook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _connection(self) -> sqlite3.Connection:
        return self._db.connection()

    def _transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._db.transaction()

    def _now(self) -> str:
        return _iso(self._clock())

    def _prepare_search_index(self, wanted: bool) -> bool:
        """Set up (or stand down) the trigram index; True when searches can use it.

        The triggers exist exactly while the index is in step with the
        contacts, so finding them missing means the index must be rebuilt.
        """
        with self._transaction() as db:
            present = {
                row[0]
                for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            }
            if not wanted:
                for name in _SEARCH_TRIGGERS:
                    if name in present:
                        db.execute(f"DROP TRIGGER {name}")
                return False
            db.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS contact_search USING fts5("
                f"{_SEARCH_COLUMNS}, content = 'contacts', content_rowid = 'id', "
                f"tokenize = 'trigram')"
            )
            if not present.issuperset(_SEARCH_TRIGGERS):
                for name, statement in _SEARCH_TRIGGERS.items():
                    if name not in present:
                        db.execute(statement)
                db.execute("INSERT INTO contact_search (contact_search) VALUES ('rebuild')")
        return True

    # ------------------------------------------------------------------ contacts

    def add_contact(
        self,
        name: str,
        fax_number: str,
        *,
        organisation: str = "",
        notes: str = "",
        group_ids: Iterable[int] = (),
    ) -> Contact:
        """Add a contact (a number already in the book is allowed: see `Contact.same_number`).

        Raises ValueError when name, organisation and number are all empty,
        UnknownGroupError for a group that does not exist.
        """
        values = self._contact_values(name, organisation, fax_number, notes)
        now = self._now()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO contacts (name, organisation, fax_number, digits, normalised, "
                "notes, sort_key, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, now, now),
            )
            contact_id = cursor.lastrowid
            assert contact_id is not None
            self._set_groups(db, contact_id, group_ids)
        return self.contact(contact_id)

    def update_contact(
        self,
        contact_id: int,
        *,
        name: str,
        fax_number: str,
        organisation: str = "",
        notes: str = "",
        group_ids: Iterable[int] | None = None,
    ) -> Contact:
        """Replace a contact's details; with `group_ids`, also the groups it belongs to."""
        values = self._contact_values(name, organisation, fax_number, notes)
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE contacts SET name = ?, organisation = ?, fax_number = ?, digits = ?, "
                "normalised = ?, notes = ?, sort_key = ?, updated = ? WHERE id = ?",
                (*values, self._now(), contact_id),
            )
            if cursor.rowcount != 1:
                raise UnknownContactError(contact_id)
            if group_ids is not None:
                db.execute("DELETE FROM group_members WHERE contact_id = ?", (contact_id,))
                self._set_groups(db, contact_id, group_ids)
        return self.contact(contact_id)

    def _contact_values(
        self, name: str, organisation: str, fax_number: str, notes: str
    ) -> tuple[str, str, str, str, str | None, str, str]:
        name, organisation, fax_number = name.strip(), organisation.strip(), fax_number.strip()
        if not (name or organisation or fax_number):
            raise ValueError("a contact needs a name, an organisation or a fax number")
        normalised = self._numbers.normalise(fax_number).number if fax_number else None
        return (
            name,
            organisation,
            fax_number,
            _digits(fax_number),
            normalised,
            notes.strip(),
            _sort_key(name, organisation, fax_number),
        )

    @staticmethod
    def _set_groups(db: sqlite3.Connection, contact_id: int, group_ids: Iterable[int]) -> None:
        for group_id in dict.fromkeys(group_ids):
            try:
                db.execute(
                    "INSERT INTO group_members (group_id, contact_id) VALUES (?, ?)",
                    (group_id, contact_id),
                )
            except sqlite3.IntegrityError as exc:
                raise UnknownGroupError(group_id) from exc

    def delete_contacts(self, contact_ids: Iterable[int]) -> int:
        """Delete contacts (and their group memberships); returns how many were deleted."""
        ids = list(dict.fromkeys(contact_ids))
        deleted = 0
        with self._transaction() as db:
            for chunk in _chunks(ids):
                marks = ", ".join("?" for _ in chunk)
                deleted += db.execute(f"DELETE FROM contacts WHERE id IN ({marks})", chunk).rowcount
        return deleted

    def contact(self, contact_id: int) -> Contact:
        """The contact with that id; raises UnknownContactError."""
        row = (
            self._connection()
            .execute(f"SELECT {_CONTACT_COLUMNS} FROM contacts c WHERE c.id = ?", (contact_id,))
            .fetchone()
        )
        if row is None:
            raise UnknownContactError(contact_id)
        return _contact(row)

    def contacts(self, contact_ids: Iterable[int]) -> list[Contact]:
        """The contacts with those ids that still exist, in the order asked."""
        ids = list(dict.fromkeys(contact_ids))
        found: dict[int, Contact] = {}
        for chunk in _chunks(ids):
            marks = ", ".join("?" for _ in chunk)
            rows = self._connection().execute(
                f"SELECT {_CONTACT_COLUMNS} FROM contacts c WHERE c.id IN ({marks})", chunk
            )
            found.update((contact.id, contact) for contact in map(_contact, rows))
        return [found[i] for i in ids if i in found]

    def contact_count(self) -> int:
        row = self._connection().execute("SELECT count(*) FROM contacts").fetchone()
        return int(row[0])

    def contacts_with_number(
        self, normalised: str, *, exclude_id: int | None = None
    ) -> list[Contact]:
        """The contacts whose number is `normalised` (the service's form), but `exclude_id`."""
        rows = self._connection().execute(
            f"SELECT {_CONTACT_COLUMNS} FROM contacts c WHERE c.normalised = ? AND c.id != ? "
            "ORDER BY c.sort_key, c.id",
            (normalised, -1 if exclude_id is None else exclude_id),
        )
        return [_contact(row) for row in rows]

    def search(
        self, text: str, limit: int | None = 20, *, group_id: int | None = None
    ) -> list[Contact]:
        """Contacts with every word of `text` somewhere in their name, organisation or number.

        Those whose name (or organisation) starts with the first word come
        first, then those with a word starting with it, then the rest, each
        alphabetically. Empty `text` lists every contact alphabetically.
        `group_id` limits the search to that group's members; `limit=None`
        returns every match.
        """
        terms = search_terms(text)
        conditions: list[str] = []
        values: list[Any] = []
        indexed = [t for t in terms if len(t) >= _SHORTEST_INDEXED] if self._indexed else []
        words = [t for t in indexed if not t.isdigit()]
        fts = "c.id IN (SELECT rowid FROM contact_search WHERE contact_search MATCH ?)"
        if words:
            conditions.append(fts)
            values.append(" ".join(_fts_phrase(term) for term in words))
        for term in terms:
            if term in words:
                continue
            if term in indexed:
                match = fts
                values.append(_fts_phrase(term))
            else:
                match = (
                    "c.name LIKE ? ESCAPE '\\' OR c.organisation LIKE ? ESCAPE '\\' "
                    "OR c.digits LIKE ? ESCAPE '\\'"
                )
                values += [_like_pattern(term)] * 3
            if term.isdigit():
                # The service's form only from its start: "12" is in every 61 2 number.
                for prefix in self._number_prefixes(term):
                    match += " OR (c.normalised >= ? AND c.normalised < ?)"
                    values += [prefix, prefix + ":"]  # ":" sorts right after "9"
            conditions.append(f"({match})")
        if group_id is not None:
            conditions.append("c.id IN (SELECT contact_id FROM group_members WHERE group_id = ?)")
            values.append(group_id)
        if not terms:
            return self._select(conditions, values, "c.sort_key, c.id", limit)
        first = terms[0].casefold()
        after = first[:-1] + chr(min(ord(first[-1]) + 1, sys.maxunicode))
        starting = "c.sort_key >= ? AND c.sort_key < ?"
        word_start = "% " + _like_pattern(first)[1:]
        by_word_start = "' ' || c.name || ' ' || c.organisation NOT LIKE ? ESCAPE '\\'"
        if terms[0] in indexed:
            # The index has narrowed the contacts down: rank them all in one go.
            return self._select(
                conditions,
                [*values, first, after, word_start],
                f"NOT ({starting}), {by_word_start}, c.sort_key, c.id",
                limit,
            )
        # A short word ("jo") matches most of the book: the names starting with it are a
        # range of the sort_key index and usually fill the limit without reading the rest.
        found = self._select(
            [*conditions, starting], [*values, first, after], "c.sort_key, c.id", limit
        )
        if limit is not None and len(found) >= limit:
            return found
        return found + self._select(
            [*conditions, f"NOT ({starting})"],
            [*values, first, after, word_start],
            f"{by_word_start}, c.sort_key, c.id",
            None if limit is None else limit - len(found),
        )

    def _select(
        self, conditions: list[str], values: list[Any], order: str, limit: int | None
    ) -> list[Contact]:
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        tail = "" if limit is None else f" LIMIT {int(limit)}"
        rows = self._connection().execute(
            f"SELECT {_CONTACT_COLUMNS} FROM contacts c{where} ORDER BY {order}{tail}", values
        )
        return [_contact(row) for row in rows]

    def _number_prefixes(self, digits: str) -> list[str]:
        """How a number starting with `digits` starts in the service's form.

        As typed, for a number written with its country code; and read in the
        default country, for one written with its trunk prefix: "028003" is
        the start of 61 2 8003 in Australia.
        """
        prefixes = [digits]
        trunk = self._trunk_prefix
        if trunk and digits.startswith(trunk) and len(digits) > len(trunk):
            prefixes.append(f"{self._country_code}{digits[len(trunk) :]}")
        return prefixes

    def renormalise(self, numbers: PhoneNormaliser) -> int:
        """Read every number again with `numbers` (a new default country); returns how many
        contacts' normalised numbers changed."""
        self._set_numbers(numbers)
        changed: list[tuple[str | None, int]] = []
        for contact_id, fax_number, normalised in self._connection().execute(
            "SELECT id, fax_number, normalised FROM contacts"
        ):
            now_normalised = numbers.normalise(fax_number).number if fax_number else None
            if now_normalised != normalised:
                changed.append((now_normalised, contact_id))
        if changed:
            with self._transaction() as db:
                db.executemany("UPDATE contacts SET normalised = ? WHERE id = ?", changed)
        return len(changed)

    # ------------------------------------------------------------------ groups

    def add_group(self, name: str) -> Group:
        """A new, empty group; raises GroupNameError when the name is empty or taken."""
        name = self._group_name(name)
        now = self._now()
        with self._transaction() as db:
            self._check_name_free(db, name, None)
            cursor = db.execute(
                "INSERT INTO contact_groups (name, created, updated) VALUES (?, ?, ?)",
                (name, now, now),
            )
            group_id = cursor.lastrowid
            assert group_id is not None
        return self.group(group_id)

    def rename_group(self, group_id: int, name: str) -> Group:
        """Rename a group; raises GroupNameError when the name is empty or taken."""
        name = self._group_name(name)
        with self._transaction() as db:
            self._check_name_free(db, name, group_id)
            cursor = db.execute(
                "UPDATE contact_groups SET name = ?, updated = ? WHERE id = ?",
                (name, self._now(), group_id),
            )
            if cursor.rowcount != 1:
                raise UnknownGroupError(group_id)
        return self.group(group_id)

    @staticmethod
    def _group_name(name: str) -> str:
        stripped = name.strip()
        if not stripped:
            raise GroupNameError("Enter a name for the group.")
        if GROUP_NAME_SEPARATOR in stripped:
            raise GroupNameError(
                f"A group name cannot contain “{GROUP_NAME_SEPARATOR}”: it separates group "
                "names in CSV files. Choose another name."
            )
        return stripped

    @staticmethod
    def _check_name_free(db: sqlite3.Connection, name: str, group_id: int | None) -> None:
        row = db.execute(
            "SELECT name FROM contact_groups WHERE name = ? AND id != ?",
            (name, -1 if group_id is None else group_id),
        ).fetchone()
        if row is not None:
            raise GroupNameError(
                f"There is already a group called “{row[0]}”. Choose another name."
            )

    def delete_group(self, group_id: int) -> None:
        """Delete a group; its members stay in the address book."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM contact_groups WHERE id = ?", (group_id,))
            if cursor.rowcount != 1:
                raise UnknownGroupError(group_id)

    def group(self, group_id: int) -> Group:
        """The group with that id; raises UnknownGroupError."""
        row = (
            self._connection()
            .execute(f"SELECT {_GROUP_COLUMNS} FROM contact_groups g WHERE g.id = ?", (group_id,))
            .fetchone()
        )
        if row is None:
            raise UnknownGroupError(group_id)
        return Group(row[0], row[1], row[2])

    def group_by_name(self, name: str) -> Group | None:
        """The group called `name` (in any case), if there is one."""
        row = (
            self._connection()
            .execute(
                f"SELECT {_GROUP_COLUMNS} FROM contact_groups g WHERE g.name = ?", (name.strip(),)
            )
            .fetchone()
        )
        return None if row is None else Group(row[0], row[1], row[2])

    def groups(self) -> list[Group]:
        """Every group, alphabetically, with its member count."""
        rows = self._connection().execute(
            f"SELECT {_GROUP_COLUMNS} FROM contact_groups g ORDER BY g.name COLLATE NOCASE"
        )
        return [Group(*row) for row in rows]

    def search_groups(self, text: str, limit: int = 5) -> list[Group]:
        """Groups whose name contains `text`, those starting with it first."""
        stripped = text.strip()
        if not stripped:
            return []
        pattern = _like_pattern(stripped)
        rows = self._connection().execute(
            f"SELECT {_GROUP_COLUMNS} FROM contact_groups g WHERE g.name LIKE ? ESCAPE '\\' "
            "ORDER BY g.name NOT LIKE ? ESCAPE '\\', g.name COLLATE NOCASE LIMIT ?",
            (pattern, pattern[1:], limit),
        )
        return [Group(*row) for row in rows]

    def group_members(self, group_id: int) -> list[Contact]:
        """The group's members, alphabetically; raises UnknownGroupError."""
        self.group(group_id)
        return self.search("", None, group_id=group_id)

    def add_members(self, group_id: int, contact_ids: Iterable[int]) -> int:
        """Put contacts in a group; returns how many were not in it yet."""
        ids = list(dict.fromkeys(contact_ids))
        added = 0
        with self._transaction() as db:
            if (
                db.execute("SELECT 1 FROM contact_groups WHERE id = ?", (group_id,)).fetchone()
                is None
            ):
                raise UnknownGroupError(group_id)
            for chunk in _chunks(ids):
                marks = ", ".join("?" for _ in chunk)
                added += db.execute(
                    f"INSERT OR IGNORE INTO group_members (group_id, contact_id) "
                    f"SELECT ?, id FROM contacts WHERE id IN ({marks})",
                    (group_id, *chunk),
                ).rowcount
        return added

    def remove_members(self, group_id: int, contact_ids: Iterable[int]) -> int:
        """Take contacts out of a group (they stay in the book); returns how many were in it."""
        ids = list(dict.fromkeys(contact_ids))
        removed = 0
        with self._transaction() as db:
            for chunk in _chunks(ids):
                marks = ", ".join("?" for _ in chunk)
                removed += db.execute(
                    f"DELETE FROM group_members WHERE group_id = ? AND contact_id IN ({marks})",
                    (group_id, *chunk),
                ).rowcount
        return removed

    # ------------------------------------------------------------------ CSV

    def read_csv(self, source: str | os.PathLike[str] | bytes) -> ContactsCsv:
        """Read a CSV file of contacts (see `read_contacts_csv`) and note which rows have a
        number already in the book, each with a warning among the problems."""
        result = read_contacts_csv(source, self._numbers)
        wanted = sorted({row.normalised for row in result.rows if row.normalised})
        existing: dict[str, Contact] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self._connection().execute(
                f"SELECT {_CONTACT_COLUMNS} FROM contacts c WHERE c.normalised IN ({marks}) "
                "ORDER BY c.sort_key DESC, c.id DESC",
                chunk,
            )
            existing.update((contact.normalised or "", contact) for contact in map(_contact, rows))
        for index, row in enumerate(result.rows):
            known = existing.get(row.normalised or "")
            if known is None:
                continue
            result.already_in_book[index] = known
            result.problems.append(
                RowProblem(
                    row.row,
                    f"Row {row.row}: {row.fax_number} is already in the address book "
                    f"({known.label}).",
                    index,
                    Severity.WARNING,
                )
            )
        result.problems.sort(key=lambda problem: problem.row)
        return result

    def import_contacts(self, rows: Sequence[ContactRow]) -> ImportResult:
        """Add the rows as contacts in one transaction, creating the groups they name."""
        now = self._now()
        created: list[str] = []
        ids: list[int] = []
        with self._transaction() as db:
            group_ids = {
                name.casefold(): group_id
                for group_id, name in db.execute("SELECT id, name FROM contact_groups")
            }
            if self._indexed:
                # FTS5 writes its pending index at every statement's end, so the insert
                # trigger costs ~130 µs a row; one INSERT ... SELECT at the end costs ~10.
                db.execute("DROP TRIGGER contact_search_insert")
            before = db.execute("SELECT coalesce(max(id), 0) FROM contacts").fetchone()[0]
            for row in rows:
                values = self._contact_values(row.name, row.organisation, row.fax_number, row.notes)
                cursor = db.execute(
                    "INSERT INTO contacts (name, organisation, fax_number, digits, normalised, "
                    "notes, sort_key, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, now, now),
                )
                contact_id = cursor.lastrowid
                assert contact_id is not None
                ids.append(contact_id)
                for name in _clean_group_names(row.groups):
                    group_id = group_ids.get(name.casefold())
                    if group_id is None:
                        group_name = self._group_name(name)
                        cursor = db.execute(
                            "INSERT INTO contact_groups (name, created, updated) VALUES (?, ?, ?)",
                            (group_name, now, now),
                        )
                        assert cursor.lastrowid is not None
                        group_id = group_ids[name.casefold()] = cursor.lastrowid
                        created.append(group_name)
                    db.execute(
                        "INSERT OR IGNORE INTO group_members (group_id, contact_id) VALUES (?, ?)",
                        (group_id, contact_id),
                    )
            if self._indexed:
                # New rows get ids above the largest one before them (INTEGER PRIMARY KEY).
                db.execute(
                    f"INSERT INTO contact_search (rowid, {_SEARCH_COLUMNS}) "
                    f"SELECT id, {_SEARCH_COLUMNS} FROM contacts WHERE id > ?",
                    (before,),
                )
                db.execute(_SEARCH_TRIGGERS["contact_search_insert"])
        return ImportResult(tuple(ids), tuple(created))

    def export_csv(self, path: Path, *, group_id: int | None = None) -> int:
        """Write every contact (or one group's) to a CSV file; returns how many were written.

        UTF-8 with a byte-order mark (so Excel reads accents right), the file
        replaced whole, never half-written. Raises OSError.
        """
        contacts = self.search("", None, group_id=group_id)
        data = codecs.BOM_UTF8 + contacts_csv_text(contacts).encode("utf-8")
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return len(contacts)


# --------------------------------------------------------------------------- CSV files


def _header_key(cell: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", cell.lower()).split())


def read_contacts_csv(
    source: str | os.PathLike[str] | bytes, numbers: PhoneNormaliser
) -> ContactsCsv:
    """The contacts in a CSV file (its path, or its bytes), numbers normalised with `numbers`.

    Every row with anything in it becomes a contact, even without a valid
    number (the problems say which rows to fix); a row without a name,
    organisation or number is left out and reported. Raises OSError when the
    file cannot be read and `CsvImportError` when it holds no fax numbers.
    """
    found = read_recipients_csv(source, numbers)
    name_is_organisation = (
        found.name_column is not None and _header_key(found.name_column) in _ORGANISATION_HEADERS
    )
    organisation_column = notes_column = groups_column = None
    ignored: list[str] = []
    for column in found.extra_columns:
        key = _header_key(column)
        if key in _ORGANISATION_HEADERS and organisation_column is None:
            organisation_column = column
        elif key in _NOTES_HEADERS and notes_column is None:
            notes_column = column
        elif key in _GROUPS_HEADERS and groups_column is None:
            groups_column = column
        else:
            ignored.append(column)
    if found.message_ref_column is not None:
        ignored.append(found.message_ref_column)
    if name_is_organisation and organisation_column is not None:
        name_is_organisation = False

    result = ContactsCsv(rows=[], problems=[], ignored_columns=ignored)
    index_of: dict[int, int | None] = {}
    for recipient_index, (recipient, row_number) in enumerate(
        zip(found.recipients, found.rows, strict=True)
    ):
        extra = recipient.extra
        name = "" if name_is_organisation else recipient.name
        organisation = recipient.name if name_is_organisation else ""
        if organisation_column is not None:
            organisation = extra.get(organisation_column, "")
        if not (name or organisation or recipient.fax_number):
            index_of[recipient_index] = None
            result.problems.append(
                RowProblem(
                    row_number,
                    f"Row {row_number} has no name, organisation or fax number and was left out.",
                    None,
                )
            )
            continue
        index_of[recipient_index] = len(result.rows)
        groups = extra.get(groups_column, "") if groups_column is not None else ""
        result.rows.append(
            ContactRow(
                row=row_number,
                name=name,
                organisation=organisation,
                fax_number=recipient.fax_number,
                normalised=recipient.normalised,
                notes=extra.get(notes_column, "") if notes_column is not None else "",
                groups=tuple(_clean_group_names(groups.split(GROUP_NAME_SEPARATOR))),
            )
        )
    for problem in found.problems:
        if problem.recipient_index is not None and index_of[problem.recipient_index] is None:
            continue  # reported above, in this module's words
        index = None if problem.recipient_index is None else index_of[problem.recipient_index]
        result.problems.append(replace(problem, recipient_index=index))
    result.problems.sort(key=lambda problem: problem.row)
    return result


def contacts_csv_text(contacts: Sequence[Contact]) -> str:
    """The contacts as CSV text: Name, Organisation, Fax number, Notes, Groups."""
    out = io.StringIO()
    # Every cell quoted: a Groups cell holds ";", which must not look like a delimiter.
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_HEADERS)
    for contact in contacts:
        writer.writerow(
            [
                safe_cell(contact.name),
                safe_cell(contact.organisation),
                safe_cell(contact.fax_number),
                safe_cell(contact.notes),
                safe_cell(f"{GROUP_NAME_SEPARATOR} ".join(contact.groups)),
            ]
        )
    return out.getvalue()
