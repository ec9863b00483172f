"""The "sent twice by mistake?" check: same document, same number, within 30 minutes."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.pipeline import SendJob
from faxgui.compose.recent_sends import (
    Repeat,
    content_key,
    draft_digests,
    find_repeats,
    record_digests,
    repeat_warnings,
)
from faxgui.compose.requests import build_send_job
from faxgui.jobs.request_json import request_summary, request_to_json
from faxgui.jobs.schema import LATEST_VERSION, MIGRATIONS, migrate, schema_version
from faxgui.jobs.store import JobStore, NewMessage, NewSend

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """The store's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[JobStore]:
    instance = JobStore(tmp_path / "jobs.sqlite3", clock=clock)
    yield instance
    instance.close()


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "referral.txt"
    path.write_text("Referral for J. Citizen\n")
    return path


@pytest.fixture
def results(tmp_path: Path) -> Path:
    path = tmp_path / "results.txt"
    path.write_text("Blood results: all normal\n")
    return path


@pytest.fixture
def make_draft(numbers: PhoneNormaliser) -> Callable[..., Draft]:
    def make(document: Path | None, *typed: str) -> Draft:
        draft = Draft.new()
        if document is not None:
            draft.add_document(document)
        for i, number in enumerate(typed, 1):
            draft.add_recipient(number, numbers, name=f"Clinic {i}")
        return draft

    return make


def _record(store: JobStore, draft: Draft, state: str = "submitted") -> SendJob:
    """Record `draft` as the pipeline would, with its digests, and move it to `state`."""
    job = build_send_job(draft)
    store.add_broadcast(
        job.broadcast_ref,
        account="demo",
        endpoint="http://sandbox",
        sends=[
            NewSend(
                request.send_ref or "",
                request_summary(request),
                request_to_json(request, job.files.path_of),
                [NewMessage(m.message_ref, m.send_to) for m in request.fax_messages],
            )
            for request in job.requests
        ],
    )
    record_digests(store, job, draft_digests(draft, job.files.read))
    for ref in job.send_refs:
        if state != "outbox":
            store.mark_submitting(ref)
        if state == "submitted":
            store.mark_submitted(ref, [])
        elif state == "failed":
            store.mark_failed(ref, "The fax service refused it.")
        elif state == "cancelled":
            store.mark_cancelled(ref, "Cancelled by the user.")
    return job


def _repeats(store: JobStore, draft: Draft, now: datetime) -> list[Repeat]:
    job = build_send_job(draft)
    return find_repeats(store, draft, draft_digests(draft, job.files.read), now=now)


def test_the_same_file_to_the_same_number_within_30_minutes_is_found(
    store: JobStore, clock: Clock, letter: Path, make_draft: Callable[..., Draft]
) -> None:
    _record(store, make_draft(letter, "02 8003 9890", "02 8003 9891"))
    clock.now = START + timedelta(minutes=12)

    again = make_draft(letter, "02 9999 0000", "(02) 8003-9891")
    repeats = _repeats(store, again, clock.now)

    assert [(r.recipient_index, r.number, r.document) for r in repeats] == [
        (1, "61280039891", "referral.txt")
    ]
    assert repeats[0].when == START
    assert not repeats[0].waiting
    local = START.astimezone().strftime("%H:%M")
    assert repeat_warnings(repeats, now=clock.now) == [
        f"referral.txt already went to Clinic 2 (+61 2 8003 9891) at {local}, 12 minutes ago."
    ]


def test_the_document_is_known_by_its_content_not_its_name(
    store: JobStore,
    clock: Clock,
    tmp_path: Path,
    letter: Path,
    results: Path,
    make_draft: Callable[..., Draft],
) -> None:
    _record(store, make_draft(letter, "02 8003 9890"))
    renamed = tmp_path / "Referral - Citizen.txt"
    renamed.write_bytes(letter.read_bytes())

    assert len(_repeats(store, make_draft(renamed, "02 8003 9890"), clock.now)) == 1
    assert _repeats(store, make_draft(results, "02 8003 9890"), clock.now) == []


def test_after_30_minutes_or_to_another_number_nothing_is_found(
    store: JobStore, clock: Clock, letter: Path, make_draft: Callable[..., Draft]
) -> None:
    _record(store, make_draft(letter, "02 8003 9890"))

    later = START + timedelta(minutes=30, seconds=1)
    assert _repeats(store, make_draft(letter, "02 8003 9890"), later) == []
    assert _repeats(store, make_draft(letter, "02 8003 9899"), START) == []


def test_a_fax_still_in_the_outbox_counts_however_old_and_a_refused_one_does_not(
    store: JobStore, clock: Clock, letter: Path, make_draft: Callable[..., Draft]
) -> None:
    _record(store, make_draft(letter, "02 8003 9890"), state="outbox")
    _record(store, make_draft(letter, "02 8003 9891"), state="failed")
    _record(store, make_draft(letter, "02 8003 9892"), state="cancelled")
    clock.now = START + timedelta(hours=5)

    again = make_draft(letter, "0280039890", "0280039891", "0280039892")
    repeats = _repeats(store, again, clock.now)

    assert [(r.number, r.waiting) for r in repeats] == [("61280039890", True)]
    assert repeat_warnings(repeats, now=clock.now) == [
        "referral.txt is already waiting in the outbox to go to Clinic 1 (+61 2 8003 9890)."
    ]


def test_a_recipients_own_documents_count_for_that_recipient_only(
    store: JobStore,
    clock: Clock,
    letter: Path,
    results: Path,
    numbers: PhoneNormaliser,
    make_draft: Callable[..., Draft],
) -> None:
    first = make_draft(letter, "02 8003 9890", "02 8003 9891")
    first.recipients[0].add_document(results)
    _record(store, first)

    # Clinic 1 got the results, not the letter; Clinic 2 got the letter.
    letter_again = make_draft(letter, "02 8003 9890", "02 8003 9891")
    assert [r.recipient_index for r in _repeats(store, letter_again, clock.now)] == [1]
    results_again = make_draft(results, "02 8003 9890", "02 8003 9891")
    assert [r.recipient_index for r in _repeats(store, results_again, clock.now)] == [0]


def test_a_saved_document_is_the_same_document_as_the_file_saved_under_its_reference(
    store: JobStore, clock: Clock, letter: Path, make_draft: Callable[..., Draft]
) -> None:
    first = make_draft(letter, "02 8003 9890")
    first.documents[0].document_ref = "referral-template"
    first.documents[0].save_as_ref = True
    _record(store, first)

    again = make_draft(None, "02 8003 9890")
    again.add_saved_document("referral-template", "Referral template")

    (repeat,) = _repeats(store, again, clock.now)
    assert repeat.document == "Referral template"


SCALING_LIMIT = 20.0
"""Ten times the recipients may take at most this many times as long to check: a check that
grows with the number of recipients (10x) passes with room for a noisy machine, one that
compares every recipient with every earlier one (100x) fails."""

GENEROUS_SECONDS = 10.0
"""Far above the 1 s goal (held in tests/benchmarks/test_bench_recent_sends.py on a quiet
machine): only a check gone badly wrong takes this long, however busy the machine is."""


def _broadcast(letter: Path, count: int) -> Draft:
    draft = Draft.new()
    draft.add_document(letter)
    draft.add_recipients(
        Recipient(fax_number=f"02 8{i:07d}", normalised=f"612{8_000_0000 + i}", name="")
        for i in range(count)
    )
    return draft


def test_ten_thousand_recipients_are_checked_quickly_and_summed_up(
    store: JobStore, clock: Clock, letter: Path, tmp_path: Path
) -> None:
    # The same check for a tenth of the recipients, timed in turn with the big one, is the
    # baseline: a busy machine slows both alike.
    small_store = JobStore(tmp_path / "small.sqlite3", clock=clock)
    _record(store, _broadcast(letter, 10_000))
    _record(small_store, _broadcast(letter, 1_000))
    clock.now = START + timedelta(minutes=3)
    checks = []
    for history, count in ((small_store, 1_000), (store, 10_000)):
        again = _broadcast(letter, count)
        checks.append((history, again, draft_digests(again, build_send_job(again).files.read)))

    timings: list[list[float]] = [[], []]
    for _ in range(5):
        for times, (history, again, digests) in zip(timings, checks, strict=True):
            started = time.perf_counter()
            repeats = find_repeats(history, again, digests, now=clock.now)
            warnings = repeat_warnings(repeats, now=clock.now)
            times.append(time.perf_counter() - started)
    small_store.close()

    assert len(repeats) == 10_000
    assert len(warnings) == 1
    local = START.astimezone().strftime("%H:%M")
    assert warnings == [
        "referral.txt already went to 10,000 of these numbers in the last 30 minutes, most "
        f"recently at {local}, 3 minutes ago: +61 2 8000 0000, +61 2 8000 0001, "
        "+61 2 8000 0002 and 9,997 more."
    ]
    small, big = min(timings[0]), min(timings[1])
    assert big < SCALING_LIMIT * small, f"1,000 took {small:.3f} s, 10,000 took {big:.3f} s"
    assert big < GENEROUS_SECONDS, f"took {big:.2f} s"


def test_the_digests_are_recorded_once_per_request_not_per_fax(
    store: JobStore, letter: Path
) -> None:
    draft = Draft.new()
    draft.add_document(letter)
    draft.add_recipients(
        Recipient(fax_number=str(i), normalised=f"612{8_000_0000 + i}") for i in range(1300)
    )
    _record(store, draft)

    connection = sqlite3.connect(store.path)
    try:
        rows = connection.execute("SELECT send_ref, message_ref, digest FROM document_digests")
        assert sorted(rows) == [
            (s.send_ref, None, content_key(letter.read_bytes())) for s in store.sends()
        ]
    finally:
        connection.close()


def test_an_older_history_file_gains_the_digests_table_and_keeps_its_sends(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    assert migrate(connection, MIGRATIONS[:1]) == 1
    connection.execute(
        "INSERT INTO broadcasts (broadcast_ref, created, account, endpoint) "
        "VALUES ('B', '2026-01-01T00:00:00.000+00:00', 'demo', 'http://x')"
    )
    connection.close()

    with JobStore(path) as store:
        assert [b.broadcast_ref for b in store.broadcasts()] == ["B"]
        assert store.deliveries(START) == []
    connection = sqlite3.connect(path)
    try:
        assert schema_version(connection) == LATEST_VERSION >= 2
    finally:
        connection.close()
