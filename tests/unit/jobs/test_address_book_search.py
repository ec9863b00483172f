"""Searching the address book: any part of a name, organisation or number, quickly at 50,000."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from faxgui.compose.phone import PhoneNormaliser
from faxgui.jobs.address_book import AddressBook, ContactRow, search_terms

SCANS_PER_SEARCH = 3.0
"""A search of 50,000 contacts may cost at most this many full reads of the contacts table,
timed in turn with it (so a busy machine slows both alike). On a quiet reference machine a
full read takes about 15 ms and the slowest search ("harb", a fifth of the book to rank) about
1.2 reads: the 50 ms goal per keystroke is held in tests/benchmarks/test_bench_address_book.py."""

GENEROUS_MS = 1000.0
"""Only a search gone badly wrong takes this long, however busy the machine is."""


@pytest.fixture(params=[True, False], ids=["indexed", "without-fts5"])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AddressBook]:
    """A small book, searched with the trigram index and without it (as on SQLite sans FTS5)."""
    with AddressBook(
        tmp_path / "contacts.sqlite3", numbers=PhoneNormaliser("AU"), search_index=request.param
    ) as opened:
        assert opened.indexed_search is request.param
        referrers = opened.add_group("Referrers")
        opened.add_contact(
            "Dr Amy Lee", "(02) 8003 9890", organisation="Harbour Clinic", group_ids=[referrers.id]
        )
        opened.add_contact("Joanna Lees", "03 9000 1234", organisation="Bayside Physio")
        opened.add_contact("Front desk", "+61 7 3000 5678", organisation="Northside Medical")
        opened.add_contact("", "08 8000 4321", organisation="Eastern Radiology")
        opened.add_contact("Jo Marsh", "02 9999 0000", group_ids=[referrers.id])
        yield opened


def names(book: AddressBook, text: str, **kwargs: object) -> list[str]:
    return [c.label for c in book.search(text, **kwargs)]  # type: ignore[arg-type]


def test_any_part_of_a_name_or_organisation_finds_the_contact(book: AddressBook) -> None:
    assert names(book, "arbo") == ["Dr Amy Lee (Harbour Clinic)"]
    assert names(book, "RADIO") == ["Eastern Radiology"]
    assert names(book, "amy harb") == ["Dr Amy Lee (Harbour Clinic)"]
    assert names(book, "xyz") == []


def test_a_number_is_found_however_it_is_typed(book: AddressBook) -> None:
    expected = ["Dr Amy Lee (Harbour Clinic)"]
    assert names(book, "8003 98") == expected
    assert names(book, "(02) 8003") == expected
    assert names(book, "+61 2 8003 9890") == expected
    assert names(book, "61280039890") == expected


def test_a_number_saved_with_its_country_code_is_found_by_its_national_form(
    book: AddressBook,
) -> None:
    assert names(book, "(07) 3000") == ["Front desk (Northside Medical)"]
    assert names(book, "07 3000 5678") == ["Front desk (Northside Medical)"]


def test_the_country_code_does_not_make_every_number_match(book: AddressBook) -> None:
    # 61 2 8003 9890 holds "12"; only the number written with a 12 in it matches.
    assert names(book, "12") == ["Joanna Lees (Bayside Physio)"]


def test_names_starting_with_the_text_come_first_then_words_then_the_rest(
    book: AddressBook,
) -> None:
    assert names(book, "jo") == ["Jo Marsh", "Joanna Lees (Bayside Physio)"]
    assert names(book, "lee") == ["Dr Amy Lee (Harbour Clinic)", "Joanna Lees (Bayside Physio)"]
    assert names(book, "e")[:1] == ["Eastern Radiology"]


def test_one_letter_still_finds_every_contact_containing_it(book: AddressBook) -> None:
    assert len(book.search("s", limit=None)) == 4
    assert len(book.search("s", limit=2)) == 2


def test_empty_text_lists_everyone_alphabetically_and_a_group_only_its_members(
    book: AddressBook,
) -> None:
    assert names(book, "") == [
        "Dr Amy Lee (Harbour Clinic)",
        "Eastern Radiology",
        "Front desk (Northside Medical)",
        "Jo Marsh",
        "Joanna Lees (Bayside Physio)",
    ]
    referrers = book.group_by_name("referrers")
    assert referrers is not None
    assert names(book, "", group_id=referrers.id) == ["Dr Amy Lee (Harbour Clinic)", "Jo Marsh"]
    assert names(book, "jo", group_id=referrers.id) == ["Jo Marsh"]


def test_search_text_with_wildcards_and_quotes_is_taken_literally(book: AddressBook) -> None:
    book.add_contact('Dr "100%" Kim_', "02 8003 1111")
    assert names(book, "100%") == ['Dr "100%" Kim_']
    assert names(book, '"100') == ['Dr "100%" Kim_']
    assert names(book, "m_") == ['Dr "100%" Kim_']
    assert names(book, "%") == ['Dr "100%" Kim_']


def test_edits_and_deletions_show_in_the_next_search(book: AddressBook) -> None:
    (lee,) = book.search("harbour")
    book.update_contact(lee.id, name="Dr Amy Lee", fax_number="02 8003 9890", organisation="Cove")
    assert names(book, "harbour") == []
    assert names(book, "cove") == ["Dr Amy Lee (Cove)"]
    book.delete_contacts([lee.id])
    assert names(book, "cove") == []


def test_a_book_used_without_the_index_is_reindexed_when_it_is_back(tmp_path: Path) -> None:
    path = tmp_path / "contacts.sqlite3"
    with AddressBook(path) as book:
        book.add_contact("Dr Amy Lee", "02 8003 9890")
    with AddressBook(path, search_index=False) as book:
        book.add_contact("Dr Quentin Blake", "02 8003 9891")
        (lee,) = book.search("amy")
        book.update_contact(lee.id, name="Dr Amy Leigh", fax_number="02 8003 9890")
    with AddressBook(path) as book:
        assert book.indexed_search
        assert names(book, "quentin") == ["Dr Quentin Blake"]
        assert names(book, "leigh") == ["Dr Amy Leigh"]
        assert names(book, "amy lee") == []


def test_search_words_are_split_and_numbers_kept_whole() -> None:
    assert search_terms("  ") == []
    assert search_terms("(02) 8003 98") == ["02800398"]
    assert search_terms("Lee harbour") == ["Lee", "harbour"]
    assert search_terms("Dr (02)") == ["Dr", "02"]


# --------------------------------------------------------------------------- 50,000 contacts

_FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Wei",
    "Mei",
    "Anh",
    "Priya",
    "Raj",
    "Olivia",
    "Noah",
    "Amelia",
    "Jack",
    "Chloe",
]
_LAST = [
    "Smith",
    "Jones",
    "Nguyen",
    "Lee",
    "Chen",
    "Patel",
    "Singh",
    "Kaur",
    "Murphy",
    "O'Brien",
    "Campbell",
    "Clarke",
]
_ORGS = [
    "Harbour Clinic",
    "Northside Medical",
    "Bay Physio",
    "Parkview Pharmacy",
    "Coastal Imaging",
]


@pytest.fixture(scope="module")
def big_book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AddressBook]:
    rng = random.Random(50_000)
    rows = [
        ContactRow(
            row=n + 2,
            name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            organisation=f"{rng.choice(_ORGS)} {n % 400}",
            fax_number=f"(0{rng.choice('2378')}) {rng.randrange(2000, 9999)} {n % 10_000:04d}",
            normalised=None,
            groups=(f"Area {n % 9}",) if n % 10 == 0 else (),
        )
        for n in range(50_000)
    ]
    path = tmp_path_factory.mktemp("big") / "contacts.sqlite3"
    with AddressBook(path, numbers=PhoneNormaliser("AU")) as book:
        book.import_contacts(rows)
        book.add_contact("Zed Quixote", "02 8003 9890", organisation="Harbour Clinic")
        yield book


def _full_read(path: Path) -> Callable[[], object]:
    """A read of every contact's name, organisation and number that finds nothing."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    query = (
        "SELECT count(*) FROM contacts WHERE name LIKE '%zzzz%' OR organisation LIKE '%zzzz%' "
        "OR digits LIKE '%99999999%'"
    )
    return lambda: connection.execute(query).fetchone()


@pytest.mark.parametrize(
    "text",
    ["j", "jo", "lee", "harb", "quix", "xyzzy", "8003 98", "(02) 2", "lee harbour", "chen 12"],
)
def test_a_search_of_50000_contacts_costs_no_more_than_a_few_reads_of_the_table(
    big_book: AddressBook, text: str
) -> None:
    assert big_book.contact_count() == 50_001
    full_read = _full_read(big_book.path)
    searches, reads = [], []
    for _ in range(5):
        started = time.perf_counter()
        found = big_book.search(text)
        searches.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        full_read()
        reads.append((time.perf_counter() - started) * 1000)
    search, read = min(searches), min(reads)
    assert search < SCANS_PER_SEARCH * read, f"search {searches} ms, full read {reads} ms"
    assert search < GENEROUS_MS, searches
    if text != "xyzzy":
        assert found
    for contact in found:
        digits = "".join(ch for ch in contact.fax_number if ch.isdigit())
        words = f"{contact.name} {contact.organisation}".casefold()
        assert all(term.casefold() in words or term in digits for term in search_terms(text))
