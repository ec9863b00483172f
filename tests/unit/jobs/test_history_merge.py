"""Merging the service's answers into the history: idempotent, never backwards, only changes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from faxgui.api.enums import FaxError, FaxResult, FaxStatus, Resolution
from faxgui.api.models import (
    FaxAttempt,
    FaxDetails,
    FaxMessageStatus,
    FaxStatusRequest,
    FaxStatusResponse,
    PauseFaxRequest,
)
from faxgui.jobs.history import JobHistory
from faxgui.jobs.merge import LIFECYCLE_RANK, status_wins
from faxgui.jobs.poll_plan import RefKind
from faxgui.jobs.store import JobStore, NewMessage, NewSend

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ACCOUNT, ENDPOINT = "demo", "https://fax.example/soap"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    with JobStore(tmp_path / "jobs.sqlite3", clock=lambda: T0) as instance:
        yield instance


@pytest.fixture
def history(store: JobStore) -> JobHistory:
    """One submitted send B-S1 with three faxes, each pending."""
    store.add_broadcast(
        "B",
        account=ACCOUNT,
        endpoint=ENDPOINT,
        sends=[
            NewSend(
                "B-S1",
                {"messages": 3},
                "{}",
                [NewMessage(f"B-S1-M{i}", f"6150000000{i}", f"GP {i}") for i in (1, 2, 3)],
            )
        ],
        composed_by="reception",
    )
    store.mark_submitting("B-S1")
    store.mark_submitted("B-S1", [_fax(i, FaxStatus.PENDING) for i in (1, 2, 3)])
    return JobHistory(store)


def _fax(
    number: int, status: FaxStatus, *attempts: FaxAttempt, details: FaxDetails | None = None
) -> FaxMessageStatus:
    return FaxMessageStatus(
        message_ref=f"B-S1-M{number}",
        send_ref="B-S1",
        broadcast_ref="B",
        send_to=f"6150000000{number}",
        status=status,
        details=details,
        results=list(attempts),
    )


def _busy(attempt: int, at: datetime) -> FaxAttempt:
    return FaxAttempt(
        attempt,
        FaxResult.FAILED,
        FaxError.FAX_BUSY,
        cost=Decimal("0.00"),
        pages=0,
        total_fax_duration=15,
        scheduled_start_time=at,
        date_call_started=at,
        date_call_ended=at + timedelta(seconds=15),
    )


def _sent(attempt: int, at: datetime, pages: int = 2) -> FaxAttempt:
    return FaxAttempt(
        attempt,
        FaxResult.SUCCESS,
        cost=Decimal("0.10") * pages,
        pages=pages,
        total_fax_duration=10 + 30 * pages,
        scheduled_start_time=at,
        date_call_started=at,
        date_call_ended=at + timedelta(seconds=10 + 30 * pages),
    )


def _merge(
    history: JobHistory,
    *faxes: FaxMessageStatus,
    at: datetime,
    selection: FaxStatusRequest | PauseFaxRequest | None = None,
) -> frozenset[int]:
    answer = FaxStatusResponse(messages=list(faxes))
    chosen = selection if selection is not None else FaxStatusRequest(send_ref="B-S1")
    result = history.merge(
        answer, account=ACCOUNT, endpoint=ENDPOINT, selection=chosen, observed_at=at
    )
    return result.changed_messages


def _row(history: JobHistory, number: int):  # type: ignore[no-untyped-def]
    return next(m for m in history.snapshot().messages if m.message_ref == f"B-S1-M{number}")


def _file_bytes(store: JobStore) -> bytes:
    store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return store.path.read_bytes()


def test_the_same_answer_twice_changes_nothing_the_second_time(
    history: JobHistory, store: JobStore
) -> None:
    answer = (
        _fax(1, FaxStatus.DONE, _busy(1, T0), _sent(2, T0 + timedelta(minutes=1))),
        _fax(2, FaxStatus.SENDING),
        _fax(3, FaxStatus.PENDING),
    )
    first = _merge(history, *answer, at=T0 + timedelta(minutes=5))
    assert first == {_row(history, 1).id, _row(history, 2).id}
    before = _file_bytes(store)
    assert _merge(history, *answer, at=T0 + timedelta(minutes=5)) == frozenset()
    assert _file_bytes(store) == before
    # A later poll saying the same also changes no fax.
    assert _merge(history, *answer, at=T0 + timedelta(minutes=6)) == frozenset()


def test_a_merged_fax_shows_its_latest_attempt_and_the_sums_of_all(history: JobHistory) -> None:
    _merge(
        history,
        _fax(1, FaxStatus.DONE, _busy(1, T0), _sent(2, T0 + timedelta(minutes=1), pages=3)),
        at=T0 + timedelta(minutes=5),
    )
    fax = _row(history, 1)
    assert (fax.status, fax.result, fax.error, fax.outcome) == (
        FaxStatus.DONE,
        FaxResult.SUCCESS,
        None,
        FaxResult.SUCCESS,
    )
    assert (fax.attempts, fax.calls, fax.pages, fax.sent_pages) == (2, 2, 3, 3)
    assert fax.cost == Decimal("0.30")
    assert fax.duration == 15 + 100
    assert fax.started == T0
    assert fax.ended == T0 + timedelta(minutes=1, seconds=100)
    assert [a.attempt for a in history.attempts(fax.id)] == [1, 2]
    assert history.attempts(fax.id)[0].error is FaxError.FAX_BUSY


def test_an_older_answer_arriving_late_does_not_undo_a_newer_one(history: JobHistory) -> None:
    # A pause asked at 09:02 answers "pausing"; a poll asked at 09:01 answers afterwards.
    assert _merge(
        history,
        _fax(1, FaxStatus.PAUSING),
        at=T0 + timedelta(minutes=2),
        selection=PauseFaxRequest(message_ref="B-S1-M1"),
    )
    assert not _merge(history, _fax(1, FaxStatus.QUEUED), at=T0 + timedelta(minutes=1))
    assert _row(history, 1).status is FaxStatus.PAUSING
    # A poll asked later does move it on.
    assert _merge(history, _fax(1, FaxStatus.PAUSED), at=T0 + timedelta(minutes=3))
    assert _row(history, 1).status is FaxStatus.PAUSED


def test_a_quiet_poll_of_the_whole_send_still_counts_as_seen(history: JobHistory) -> None:
    # 09:05 poll of the send: nothing new, so no fax row is written...
    assert not _merge(history, _fax(2, FaxStatus.PENDING), at=T0 + timedelta(minutes=5))
    # ...yet an answer asked at 09:04 (say, a slow pause answer) is older than it.
    assert not _merge(
        history,
        _fax(2, FaxStatus.PROCESSING),
        at=T0 + timedelta(minutes=4),
        selection=FaxStatusRequest(message_ref="B-S1-M2"),
    )
    assert _row(history, 2).status is FaxStatus.PENDING


def test_done_is_final(history: JobHistory) -> None:
    _merge(history, _fax(1, FaxStatus.DONE, _sent(1, T0)), at=T0 + timedelta(minutes=1))
    assert not _merge(history, _fax(1, FaxStatus.SENDING), at=T0 + timedelta(minutes=9))
    assert _row(history, 1).status is FaxStatus.DONE


def test_fewer_attempts_is_older_and_more_attempts_is_newer(history: JobHistory) -> None:
    _merge(
        history,
        _fax(1, FaxStatus.QUEUED, _busy(1, T0), _busy(2, T0 + timedelta(minutes=1))),
        at=T0 + timedelta(minutes=3),
    )
    # Stamped later (a clock step, say) but knowing only the first attempt: older.
    assert not _merge(
        history, _fax(1, FaxStatus.SENDING, _busy(1, T0)), at=T0 + timedelta(minutes=4)
    )
    fax = _row(history, 1)
    assert (fax.status, fax.attempts) == (FaxStatus.QUEUED, 2)
    # Stamped earlier but knowing a third attempt: newer.
    assert _merge(
        history,
        _fax(
            1,
            FaxStatus.FINALIZING,
            _busy(1, T0),
            _busy(2, T0 + timedelta(minutes=1)),
            _sent(3, T0 + timedelta(minutes=2)),
        ),
        at=T0 + timedelta(minutes=2),
    )
    fax = _row(history, 1)
    assert (fax.status, fax.attempts, fax.result) == (FaxStatus.FINALIZING, 3, FaxResult.SUCCESS)


def test_an_answer_without_results_changes_the_status_and_keeps_the_attempts(
    history: JobHistory,
) -> None:
    _merge(history, _fax(1, FaxStatus.QUEUED, _busy(1, T0)), at=T0 + timedelta(minutes=1))
    # A Pause answer (verbosity "send": no FaxResults) must not wipe the known attempt.
    assert _merge(
        history,
        _fax(1, FaxStatus.PAUSING),
        at=T0 + timedelta(minutes=2),
        selection=PauseFaxRequest(send_ref="B-S1"),
    )
    fax = _row(history, 1)
    assert (fax.status, fax.attempts, fax.error) == (FaxStatus.PAUSING, 1, FaxError.FAX_BUSY)


def test_a_partial_attempt_is_completed_and_never_replaced_by_a_poorer_copy(
    history: JobHistory,
) -> None:
    partial = FaxAttempt(1, scheduled_start_time=T0, date_call_started=T0)
    _merge(history, _fax(1, FaxStatus.SENDING, partial), at=T0 + timedelta(minutes=1))
    assert _merge(
        history, _fax(1, FaxStatus.FINALIZING, _sent(1, T0)), at=T0 + timedelta(minutes=3)
    )
    assert not _merge(history, _fax(1, FaxStatus.SENDING, partial), at=T0 + timedelta(minutes=2))
    (attempt,) = history.attempts(_row(history, 1).id)
    assert (attempt.result, attempt.pages) == (FaxResult.SUCCESS, 2)


def test_details_are_kept_from_the_answers_that_carry_them(history: JobHistory) -> None:
    details = FaxDetails("Front desk", Resolution.FINE, 2, 3, "From %from%")
    assert _merge(history, _fax(3, FaxStatus.QUEUED, details=details), at=T0 + timedelta(minutes=1))
    # A later answer without details (verbosity "results") keeps them.
    _merge(history, _fax(3, FaxStatus.STARTING), at=T0 + timedelta(minutes=2))
    detail = history.message_detail(_row(history, 3).id)
    assert detail.details == details
    assert detail.message.status is FaxStatus.STARTING


def test_faxes_of_other_accounts_and_unknown_refs_are_left_alone(
    history: JobHistory, store: JobStore
) -> None:
    stranger = FaxMessageStatus(message_ref="not-ours", send_ref="X", status=FaxStatus.DONE)
    result = history.merge(
        FaxStatusResponse(messages=[stranger, _fax(1, FaxStatus.SENDING)]),
        account="receptionist",
        endpoint=ENDPOINT,
        selection=FaxStatusRequest(send_ref="B-S1"),
        observed_at=T0 + timedelta(minutes=1),
    )
    assert not result
    assert set(result.unknown) == {"not-ours", "B-S1-M1"}
    assert _row(history, 1).status is FaxStatus.PENDING


def test_the_merge_result_names_the_changed_sends_and_broadcasts(history: JobHistory) -> None:
    snapshot = history.snapshot()
    result = history.merge(
        FaxStatusResponse(messages=[_fax(2, FaxStatus.PROCESSING)]),
        account=ACCOUNT,
        endpoint=ENDPOINT,
        selection=FaxStatusRequest(broadcast_ref="B"),
        observed_at=T0 + timedelta(minutes=1),
    )
    assert result.changed_messages == {_row(history, 2).id}
    assert result.changed_sends == {snapshot.sends[0].id}
    assert result.changed_broadcasts == result.matched_broadcasts == {snapshot.broadcasts[0].id}
    assert result.added_messages == frozenset()


def test_lifecycle_order_decides_between_answers_seen_at_the_same_moment() -> None:
    at = "2026-11-27T09:00:00.000+00:00"
    assert status_wins("queued", 0, at, "starting", None, at)
    assert not status_wins("starting", 0, at, "queued", None, at)
    assert next(iter(LIFECYCLE_RANK)) == "pending"
    assert list(LIFECYCLE_RANK)[-1] == "done"


def test_a_merge_that_fails_halfway_leaves_nothing_behind(store: JobStore) -> None:
    history = JobHistory(store)
    broken = _busy(1, T0)
    broken.date_call_ended = "not a time"  # type: ignore[assignment]
    answer = FaxStatusResponse(
        messages=[
            FaxMessageStatus("EXT-1", "EXT-S", "EXT", "61500000000", FaxStatus.SENDING),
            FaxMessageStatus(
                "EXT-2", "EXT-S", "EXT", "61500000002", FaxStatus.QUEUED, results=[broken]
            ),
        ]
    )
    # The rows for the tracked faxes are written before the bad attempt is read.
    with pytest.raises(AttributeError):
        history.track(RefKind.SEND, "EXT-S", answer, account=ACCOUNT, endpoint=ENDPOINT)
    assert history.snapshot().broadcasts == []
    assert history.tracked_refs() == []


def test_tracking_a_reference_adds_its_faxes_once(store: JobStore) -> None:
    history = JobHistory(store)
    answer = FaxStatusResponse(
        messages=[
            FaxMessageStatus("EXT-1", "EXT-S", "EXT", "61500000000", FaxStatus.SENDING),
            FaxMessageStatus(
                "EXT-2", "EXT-S", "EXT", "61500000002", FaxStatus.QUEUED, results=[_busy(1, T0)]
            ),
        ]
    )
    first = history.track(
        RefKind.BROADCAST, "EXT", answer, account=ACCOUNT, endpoint=ENDPOINT, observed_at=T0
    )
    assert len(first.added_messages) == 2
    assert first.changed_messages == first.added_messages
    snapshot = history.snapshot()
    (broadcast,) = snapshot.broadcasts
    assert (broadcast.broadcast_ref, broadcast.tracked, broadcast.composed_by) == ("EXT", True, "")
    (send,) = snapshot.sends
    assert (send.send_ref, send.tracked, send.message_count) == ("EXT-S", True, 2)
    assert [m.send_to for m in snapshot.messages] == ["61500000000", "61500000002"]
    assert snapshot.messages[1].error is FaxError.FAX_BUSY
    # Following it again adds nothing; a later poll by the broadcast picks up a new fax.
    again = history.track(
        RefKind.BROADCAST, "EXT", answer, account=ACCOUNT, endpoint=ENDPOINT, observed_at=T0
    )
    assert not again
    assert again.matched_broadcasts == {broadcast.id}
    later = FaxStatusResponse(
        messages=[*answer.messages, FaxMessageStatus("EXT-3", None, "EXT", "61500000001")]
    )
    polled = history.merge(
        later,
        account=ACCOUNT,
        endpoint=ENDPOINT,
        selection=FaxStatusRequest(broadcast_ref="EXT"),
        observed_at=T0 + timedelta(minutes=1),
    )
    assert len(polled.added_messages) == 1
    assert [r.ref for r in history.tracked_refs()] == ["EXT"]
    assert len(history.snapshot().sends) == 2  # the fax without a SendRef stands on its own


def test_forgetting_a_tracked_broadcast_removes_it_and_stops_following_it(
    store: JobStore,
) -> None:
    history = JobHistory(store)
    answer = FaxStatusResponse(
        messages=[FaxMessageStatus("EXT-1", "EXT-S", "EXT", "61500000000", FaxStatus.SENDING)]
    )
    history.track(RefKind.SEND, "EXT-S", answer, account=ACCOUNT, endpoint=ENDPOINT)
    (broadcast,) = history.snapshot().broadcasts
    history.forget_tracked(broadcast.id)
    assert history.snapshot().messages == []
    assert history.tracked_refs() == []
    assert history.unfinished_work() == []


def test_a_history_file_from_the_previous_version_is_upgraded_in_place(tmp_path: Path) -> None:
    from faxgui.jobs.schema import MIGRATIONS, migrate

    path = tmp_path / "jobs.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    assert migrate(connection, MIGRATIONS[:2]) == 2
    connection.execute(
        "INSERT INTO broadcasts (broadcast_ref, created, account, endpoint) "
        "VALUES ('OLD', '2026-01-01T00:00:00.000+00:00', 'demo', 'e')"
    )
    connection.execute(
        "INSERT INTO sends (send_ref, broadcast_id, position, state, summary_json, request_json, "
        "created, updated) VALUES ('OLD-S1', 1, 1, 'submitted', '{}', '{}', "
        "'2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00')"
    )
    connection.execute(
        "INSERT INTO messages (send_ref, position, message_ref, send_to, status, result, error) "
        "VALUES ('OLD-S1', 1, 'OLD-S1-M1', '61500000002', 'done', 'failed', 'FAX_BUSY')"
    )
    connection.close()
    with JobStore(path) as store:
        (fax,) = JobHistory(store).snapshot().messages
        assert (fax.status, fax.outcome, fax.error) == (
            FaxStatus.DONE,
            FaxResult.FAILED,
            FaxError.FAX_BUSY,
        )
        assert fax.attempts == 0


def test_tracking_a_big_reference_makes_its_rows_in_one_go(store: JobStore) -> None:
    """A tracked broadcast of 1,300 faxes in three sends, one without a SendRef."""
    history = JobHistory(store)
    faxes = [
        FaxMessageStatus(
            f"BIG-{n}", f"BIG-S{n % 2}" if n < 1_299 else None, "BIG", f"6150{n:07d}",
            FaxStatus.QUEUED,
        )
        for n in range(1_300)
    ]  # fmt: skip
    result = history.track(
        RefKind.BROADCAST,
        "BIG",
        FaxStatusResponse(messages=faxes),
        account=ACCOUNT,
        endpoint=ENDPOINT,
        observed_at=T0,
    )
    assert len(result.added_messages) == 1_300
    snapshot = history.snapshot()
    assert [b.broadcast_ref for b in snapshot.broadcasts] == ["BIG"]
    assert [s.send_ref for s in snapshot.sends] == ["BIG-S0", "BIG-S1", ""]
    assert [s.position for s in snapshot.sends] == [1, 2, 3]
    assert [s.message_count for s in snapshot.sends] == [650, 649, 1]
    first = snapshot.messages_of(snapshot.sends[0].id)
    assert [m.position for m in first[:3]] == [1, 2, 3]
    assert [m.message_ref for m in first[:2]] == ["BIG-0", "BIG-2"]
    assert sorted(m.id for m in snapshot.messages) == sorted(result.added_messages)
    assert history.track(
        RefKind.BROADCAST, "BIG", FaxStatusResponse(messages=faxes), account=ACCOUNT,
        endpoint=ENDPOINT, observed_at=T0,
    ).added_messages == frozenset()  # fmt: skip


def test_tracked_faxes_are_stored_complete_as_a_later_merge_would_leave_them(
    store: JobStore,
) -> None:
    """New tracked rows are written in one go: what the merge reports is what a read gives,
    the same answer again changes nothing, and a fax the answer lists twice is one row."""
    history = JobHistory(store)
    details = FaxDetails(send_from="Reception", resolution=Resolution.FINE, retries=2)
    answer = FaxStatusResponse(
        messages=[
            FaxMessageStatus("EXT-1", "EXT-S", "EXT", "61500000001", FaxStatus.SENDING),
            FaxMessageStatus(
                "EXT-2", "EXT-S", "EXT", "61500000002", FaxStatus.DONE, details=details,
                results=[_sent(2, T0 + timedelta(minutes=5), pages=3), _busy(1, T0)],
            ),
            FaxMessageStatus(
                "EXT-3", "EXT-S", "EXT", "61500000003", FaxStatus.QUEUED, results=[_busy(1, T0)]
            ),
            # Listed twice (a service answering from two pages of results): one row.
            FaxMessageStatus(
                "EXT-3", "EXT-S", "EXT", "61500000003", FaxStatus.QUEUED, results=[_busy(1, T0)]
            ),
        ]
    )  # fmt: skip
    result = history.track(
        RefKind.SEND, "EXT-S", answer, account=ACCOUNT, endpoint=ENDPOINT, observed_at=T0
    )
    assert len(result.added_messages) == 3
    assert result.changed_messages == result.added_messages
    stored = history.messages_by_id(result.added_messages)
    assert history.changed_rows(result) == stored
    done = next(m for m in stored if m.message_ref == "EXT-2")
    assert (done.outcome, done.attempts, done.calls, done.pages, done.sent_pages) == (
        FaxResult.SUCCESS, 2, 2, 3, 3,
    )  # fmt: skip
    assert (done.cost, done.duration, done.started) == (Decimal("0.30"), 15 + 100, T0)
    assert [a.attempt for a in history.attempts(done.id)] == [1, 2]
    assert history.message_detail(done.id).details == details
    assert [m.position for m in stored] == [1, 2, 3]
    # Nothing more to write: the rows are what merging this answer leaves.
    assert not history.merge(
        answer,
        account=ACCOUNT,
        endpoint=ENDPOINT,
        selection=FaxStatusRequest(send_ref="EXT-S"),
        observed_at=T0,
    )
    assert history.messages_by_id(result.added_messages) == stored


def test_a_fax_tried_once_and_then_again_shows_every_attempt_as_the_service_gave_it(
    history: JobHistory,
) -> None:
    """The one attempt of a fax tried once is kept in the fax's own row; a second attempt
    moves both into the attempts table: either way they read back as the service sent them."""
    busy, sent = _busy(1, T0), _sent(2, T0 + timedelta(minutes=10))
    _merge(history, _fax(1, FaxStatus.QUEUED, busy), at=T0 + timedelta(minutes=1))
    fax = _row(history, 1)
    assert history.attempts(fax.id) == (busy,)
    assert history.attempts_for([fax.id, _row(history, 2).id]) == {
        fax.id: (busy,),
        _row(history, 2).id: (),
    }
    _merge(history, _fax(1, FaxStatus.DONE, busy, sent), at=T0 + timedelta(minutes=20))
    assert history.attempts(fax.id) == (busy, sent)
    assert (_row(history, 1).attempts, _row(history, 1).outcome) == (2, FaxResult.SUCCESS)
    # Older answers with only the first attempt change nothing.
    assert not _merge(history, _fax(1, FaxStatus.QUEUED, busy), at=T0 + timedelta(minutes=2))
    assert history.attempts(fax.id) == (busy, sent)
