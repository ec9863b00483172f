"""Reading the history for the panel: the tree in order, totals as the API counts, details, work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from faxgui.api.enums import FaxError, FaxResult, FaxStatus, Resolution
from faxgui.api.models import (
    FaxAttempt,
    FaxDocument,
    FaxMessage,
    FaxMessageStatus,
    FaxResultsTotals,
    FaxStatusRequest,
    FaxStatusResponse,
    FaxStatusTotals,
    SendFaxRequest,
)
from faxgui.jobs.history import JobHistory, UnknownHistoryRowError
from faxgui.jobs.request_json import request_summary, request_to_json
from faxgui.jobs.store import JobStore, NewMessage, NewSend, SendState

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    with JobStore(tmp_path / "jobs.sqlite3", clock=lambda: T0) as instance:
        yield instance


def _new_send(ref: str, count: int) -> NewSend:
    return NewSend(
        ref,
        {"messages": count, "documents": [{"name": "letter.pdf", "pages": 2}], "options": {}},
        "{}",
        [
            NewMessage(f"{ref}-M{i}", f"615000000{i:02d}", f"Clinic {i}")
            for i in range(1, count + 1)
        ],
    )


def _status(ref: str, status: FaxStatus, *attempts: FaxAttempt) -> FaxMessageStatus:
    return FaxMessageStatus(message_ref=ref, status=status, results=list(attempts))


def _attempt(
    n: int, result: FaxResult, error: FaxError | None = None, pages: int = 2, called: bool = True
) -> FaxAttempt:
    return FaxAttempt(
        n,
        result,
        error,
        cost=Decimal("0.10") * pages,
        pages=pages,
        total_fax_duration=20 if called else 0,
        date_call_started=T0 if called else None,
        date_call_ended=T0 + timedelta(seconds=20) if called else None,
    )


def _two_broadcasts(store: JobStore) -> JobHistory:
    store.add_broadcast("OLD", account="demo", endpoint="e", sends=[_new_send("OLD-S1", 2)])
    store.add_broadcast(
        "NEW", account="demo", endpoint="e", sends=[_new_send("NEW-S1", 3), _new_send("NEW-S2", 2)]
    )
    for ref in ("OLD-S1", "NEW-S1"):
        store.mark_submitting(ref)
        store.mark_submitted(ref, [])
    history = JobHistory(store)
    history.merge(
        FaxStatusResponse(
            messages=[
                _status("OLD-S1-M1", FaxStatus.DONE, _attempt(1, FaxResult.SUCCESS)),
                _status(
                    "OLD-S1-M2",
                    FaxStatus.DONE,
                    _attempt(1, FaxResult.BLOCKED, FaxError.BLOCK_DNCR, 0, called=False),
                ),
                _status("NEW-S1-M1", FaxStatus.PAUSED),
                _status(
                    "NEW-S1-M2",
                    FaxStatus.QUEUED,
                    _attempt(1, FaxResult.FAILED, FaxError.FAX_BUSY, 0),
                ),
                _status(
                    "NEW-S1-M3",
                    FaxStatus.DONE,
                    _attempt(1, FaxResult.FAILED, FaxError.FAX_NO_ANSWER, 0),
                    _attempt(2, FaxResult.FAILED, FaxError.FAX_NO_ANSWER, 0),
                ),
            ]
        ),
        account="demo",
        endpoint="e",
        observed_at=T0 + timedelta(minutes=1),
    )
    return history


def test_the_tree_comes_newest_broadcast_first_sends_and_faxes_in_order(store: JobStore) -> None:
    snapshot = _two_broadcasts(store).snapshot()
    assert [b.broadcast_ref for b in snapshot.broadcasts] == ["NEW", "OLD"]
    assert [s.send_ref for s in snapshot.sends] == ["NEW-S1", "NEW-S2", "OLD-S1"]
    new = snapshot.broadcasts[0]
    assert [s.send_ref for s in snapshot.sends_of(new.id)] == ["NEW-S1", "NEW-S2"]
    first = snapshot.sends[0]
    assert [m.message_ref for m in snapshot.messages_of(first.id)] == [
        "NEW-S1-M1",
        "NEW-S1-M2",
        "NEW-S1-M3",
    ]
    waiting = snapshot.sends[1]
    assert waiting.state is SendState.OUTBOX
    assert [m.status for m in snapshot.messages_of(waiting.id)] == [None, None]
    assert snapshot.send(first.id) is first
    assert snapshot.broadcast(new.id) is new
    assert first.documents[0].name == "letter.pdf"
    assert first.documents[0].pages == 2


def test_totals_count_as_the_service_counts(store: JobStore) -> None:
    snapshot = _two_broadcasts(store).snapshot()
    new, old = snapshot.broadcasts
    totals = snapshot.broadcast_totals[new.id]
    # Paused counts under queued; only done faxes count as sent/failed/blocked; attempts
    # are calls made.
    assert totals.status == FaxStatusTotals(queued=2, done=1)
    assert totals.results == FaxResultsTotals(failed=1, total_attempts=3, total_fax_duration=60)
    assert (totals.faxes, totals.finished, totals.not_submitted, totals.paused) == (5, 1, 2, 1)
    old_totals = snapshot.broadcast_totals[old.id]
    assert old_totals.results == FaxResultsTotals(
        success=1, blocked=1, total_attempts=1, total_fax_duration=20, total_pages=2
    )
    assert old_totals.cost == Decimal("0.20")
    assert old_totals.all_finished
    assert snapshot.send_totals[snapshot.sends[0].id].status == totals.status
    # Counted afresh for just some sends or broadcasts, the numbers agree.
    history = JobHistory(store)
    assert history.broadcast_totals([new.id])[new.id] == totals
    assert history.send_totals([snapshot.sends[2].id])[snapshot.sends[2].id] == old_totals


def test_a_fax_not_finished_yet_has_no_outcome_even_after_a_failed_attempt(
    store: JobStore,
) -> None:
    snapshot = _two_broadcasts(store).snapshot()
    retrying = next(m for m in snapshot.messages if m.message_ref == "NEW-S1-M2")
    assert (retrying.result, retrying.outcome, retrying.finished) == (
        FaxResult.FAILED,
        None,
        False,
    )
    blocked = next(m for m in snapshot.messages if m.message_ref == "OLD-S1-M2")
    assert (blocked.outcome, blocked.calls, blocked.attempts) == (FaxResult.BLOCKED, 0, 1)


def test_a_snapshot_of_some_broadcasts_holds_only_their_rows(store: JobStore) -> None:
    history = _two_broadcasts(store)
    old = history.snapshot().broadcasts[1]
    part = history.snapshot([old.id])
    assert [b.broadcast_ref for b in part.broadcasts] == ["OLD"]
    assert [m.message_ref for m in part.messages] == ["OLD-S1-M1", "OLD-S1-M2"]
    assert list(part.broadcast_totals) == [old.id]
    assert history.snapshot([]).messages == []


def test_a_snapshot_since_a_date_leaves_older_broadcasts_out(tmp_path: Path) -> None:
    moments = iter([T0 - timedelta(days=100), T0])
    clock_now = {"now": T0}

    def clock() -> datetime:
        return clock_now["now"]

    with JobStore(tmp_path / "dated.sqlite3", clock=clock) as store:
        for ref in ("LAST-YEAR", "THIS-WEEK"):
            clock_now["now"] = next(moments)
            store.add_broadcast(
                ref, account="demo", endpoint="e", sends=[_new_send(f"{ref}-S1", 2)]
            )
        history = JobHistory(store)
        recent = history.snapshot(since=T0 - timedelta(days=30))
        assert [b.broadcast_ref for b in recent.broadcasts] == ["THIS-WEEK"]
        assert [m.message_ref for m in recent.messages] == ["THIS-WEEK-S1-M1", "THIS-WEEK-S1-M2"]
        assert recent.send_totals[recent.sends[0].id].faxes == 2
        assert len(history.snapshot().broadcasts) == 2


def test_rows_can_be_read_again_by_id(store: JobStore) -> None:
    history = _two_broadcasts(store)
    snapshot = history.snapshot()
    wanted = [snapshot.messages[4].id, snapshot.messages[0].id]
    assert {m.id for m in history.messages_by_id(wanted)} == set(wanted)
    assert history.sends_by_id([snapshot.sends[2].id])[0].send_ref == "OLD-S1"
    assert history.messages_by_id([10_000]) == []
    with pytest.raises(UnknownHistoryRowError):
        history.send(10_000)
    with pytest.raises(UnknownHistoryRowError):
        history.message_detail(10_000)


def test_the_detail_of_a_fax_has_its_own_documents_and_settings_over_the_sends(
    store: JobStore,
) -> None:
    files = {b"%PDF shared": "/docs/letter.pdf", b"%PDF own": "/docs/referral.pdf"}
    request = SendFaxRequest(
        broadcast_ref="D",
        send_ref="D-S1",
        resolution=Resolution.FINE,
        retries=2,
        documents=[FaxDocument("letter.pdf", b"%PDF shared")],
        fax_messages=[
            FaxMessage("D-S1-M1", "61500000000"),
            FaxMessage(
                "D-S1-M2",
                "61500000001",
                retries=5,
                documents=[FaxDocument("referral.pdf", b"%PDF own")],
            ),
        ],
    )
    store.add_broadcast(
        "D",
        account="demo",
        endpoint="e",
        sends=[
            NewSend(
                "D-S1",
                request_summary(request, {"letter.pdf": 3}),
                request_to_json(request, files.get),
                [NewMessage("D-S1-M1", "61500000000"), NewMessage("D-S1-M2", "61500000001")],
            )
        ],
    )
    history = JobHistory(store)
    first, second = history.snapshot().messages
    plain = history.message_detail(first.id)
    assert [(d.name, d.pages) for d in plain.documents] == [("letter.pdf", 3)]
    assert plain.options == {"resolution": "fine", "retries": 2}
    own = history.message_detail(second.id)
    assert [d.name for d in own.documents] == ["referral.pdf"]
    assert own.options == {"resolution": "fine", "retries": 5}
    assert own.attempts == ()
    assert own.details is None


def test_unfinished_work_lists_submitted_sends_with_faxes_still_going(store: JobStore) -> None:
    history = _two_broadcasts(store)
    (work,) = history.unfinished_work()
    # NEW-S2 is still in the outbox (the poller has nothing to ask about it); OLD is done.
    assert (work.send_ref, work.broadcast_ref, work.total_messages) == ("NEW-S1", "NEW", 3)
    assert work.message_refs == ("NEW-S1-M1", "NEW-S1-M2")
    assert work.last_change == T0 + timedelta(minutes=1)
    assert work.starts_at is None


def test_a_send_scheduled_ahead_tells_the_poller_when_it_starts(store: JobStore) -> None:
    later = T0 + timedelta(hours=20)
    store.add_broadcast(
        "S",
        account="demo",
        endpoint="e",
        sends=[
            NewSend(
                "S-S1",
                {"options": {"scheduled_start_time": later.isoformat()}},
                "{}",
                [NewMessage("S-S1-M1", "61500000000")],
            )
        ],
    )
    store.mark_submitting("S-S1")
    store.mark_submitted("S-S1", [_status("S-S1-M1", FaxStatus.QUEUED)])
    (work,) = JobHistory(store).unfinished_work()
    assert work.starts_at == later
    JobHistory(store).merge(
        FaxStatusResponse(messages=[_status("S-S1-M1", FaxStatus.DONE)]),
        account="demo",
        endpoint="e",
        selection=FaxStatusRequest(send_ref="S-S1"),
    )
    assert JobHistory(store).unfinished_work() == []


def test_who_composed_a_broadcast_is_kept(store: JobStore) -> None:
    store.add_broadcast(
        "W", account="demo", endpoint="e", sends=[_new_send("W-S1", 1)], composed_by="maria"
    )
    (broadcast,) = JobHistory(store).snapshot().broadcasts
    assert broadcast.composed_by == "maria"
    assert store.broadcasts()[0].composed_by == "maria"


def test_pages_cover_every_broadcast_once_newest_first(store: JobStore) -> None:
    for number in range(7):
        store.add_broadcast(
            f"B{number}", account="demo", endpoint="e", sends=[_new_send(f"B{number}-S1", 3)]
        )
    history = JobHistory(store)
    seen: list[int] = []
    before = None
    pages = 0
    while True:
        ids, before = history.page(before, 7)
        pages += 1
        # About seven faxes a page: two broadcasts of three (a third would make nine).
        assert len(ids) == 2 or before is None
        seen += ids
        if before is None:
            break
    assert pages == 4
    assert seen == sorted(seen, reverse=True)
    assert [history.broadcast(i).broadcast_ref for i in seen] == [f"B{n}" for n in range(6, -1, -1)]
    # One broadcast larger than a page still comes, alone.
    assert history.page(None, 1) == (seen[:1], seen[0])


def test_the_rows_a_merge_returns_are_the_rows_stored(store: JobStore) -> None:
    history = _two_broadcasts(store)
    result = history.merge(
        FaxStatusResponse(
            messages=[
                _status("NEW-S1-M1", FaxStatus.SENDING),
                _status(
                    "NEW-S1-M2",
                    FaxStatus.DONE,
                    _attempt(1, FaxResult.FAILED, FaxError.FAX_BUSY, 0),
                    _attempt(2, FaxResult.SUCCESS),
                ),
            ]
        ),
        account="demo",
        endpoint="e",
        observed_at=T0 + timedelta(minutes=2),
    )
    assert len(result.changed_messages) == 2
    returned = sorted(history.changed_rows(result))
    assert returned == sorted(history.messages_by_id(result.changed_messages))
    assert returned[1].outcome is FaxResult.SUCCESS
    assert returned[1].cost == Decimal("0.20")
