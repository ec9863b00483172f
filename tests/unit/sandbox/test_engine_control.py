"""Pause, resume and stop: what each may touch, what the answer shows, how faxes settle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from faxgui.api.enums import FaxError, FaxResult, FaxStatus, Verbosity
from faxgui.api.errors import InvalidArgumentsFault, NoMessagesFoundFault
from faxgui.api.models import (
    FaxMessageStatus,
    FaxStatusRequest,
    FaxStatusResponse,
    FaxStatusTotals,
    PauseFaxRequest,
    ResumeFaxRequest,
    StopFaxRequest,
)
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine

Send = Callable[..., FaxStatusResponse]
Fax = Callable[..., FaxMessageStatus]
RunUntilDone = Callable[..., FaxMessageStatus]
SLOW = "+61 5 0000 0050"
_REQUEST_TYPES: dict[str, type] = {
    "fax_status": FaxStatusRequest,
    "pause_fax": PauseFaxRequest,
    "resume_fax": ResumeFaxRequest,
    "stop_fax": StopFaxRequest,
}


def _rows(answer: FaxStatusResponse) -> dict[str, FaxStatus | None]:
    return {m.message_ref or "": m.status for m in answer.messages}


def test_pausing_a_queued_fax_holds_it_until_resumed(
    send: Send,
    engine: SandboxEngine,
    clock: ManualClock,
    fax: Fax,
    run_until_done: RunUntilDone,
) -> None:
    send(("m1", "0298765432"))
    clock.advance(7)
    assert fax("m1").status is FaxStatus.QUEUED
    answer = engine.pause_fax("demo", PauseFaxRequest(message_ref="m1"))
    assert _rows(answer) == {"m1": FaxStatus.PAUSING}
    clock.advance(2)
    assert fax("m1").status is FaxStatus.PAUSED
    clock.advance(3 * 60 * 60)
    assert fax("m1").status is FaxStatus.PAUSED
    assert fax("m1").results == []

    answer = engine.resume_fax("demo", ResumeFaxRequest(message_ref="m1"))
    assert _rows(answer) == {"m1": FaxStatus.RESUMING}
    clock.advance(2)
    assert fax("m1").status is FaxStatus.STARTING
    assert run_until_done("m1").results[-1].result is FaxResult.SUCCESS


@pytest.mark.parametrize(
    ("seconds", "status"),
    [(0, FaxStatus.PENDING), (3, FaxStatus.PROCESSING), (9, FaxStatus.STARTING)],
)
def test_a_fax_can_be_paused_at_any_point_before_the_call(
    send: Send,
    engine: SandboxEngine,
    clock: ManualClock,
    fax: Fax,
    run_until_done: RunUntilDone,
    seconds: float,
    status: FaxStatus,
) -> None:
    send(("m1", "0298765432"))
    clock.advance(seconds)
    assert fax("m1").status is status
    engine.pause_fax("demo", PauseFaxRequest(message_ref="m1"))
    clock.advance(600)
    assert fax("m1").status is FaxStatus.PAUSED
    engine.resume_fax("demo", ResumeFaxRequest(message_ref="m1"))
    assert run_until_done("m1").results[-1].result is FaxResult.SUCCESS


def test_a_fax_paused_before_processing_is_processed_after_resuming(
    send: Send, engine: SandboxEngine, clock: ManualClock, fax: Fax
) -> None:
    send(("m1", "0298765432"))
    engine.pause_fax("demo", PauseFaxRequest(message_ref="m1"))
    clock.advance(10)
    engine.resume_fax("demo", ResumeFaxRequest(message_ref="m1"))
    clock.advance(2)
    assert fax("m1").status is FaxStatus.PROCESSING


def test_a_paused_scheduled_fax_resumes_to_queued(
    send: Send, engine: SandboxEngine, clock: ManualClock, fax: Fax
) -> None:
    start = clock() + timedelta(hours=1)
    send(("m1", "0298765432"), scheduled_start_time=start)
    clock.advance(60)
    engine.pause_fax("demo", PauseFaxRequest(message_ref="m1"))
    clock.advance(60)
    engine.resume_fax("demo", ResumeFaxRequest(message_ref="m1"))
    clock.advance(2)
    assert fax("m1").status is FaxStatus.QUEUED
    clock.set(start)
    assert fax("m1").status is FaxStatus.STARTING


def test_a_fax_on_the_line_is_not_paused_and_the_answer_says_so(
    send: Send, engine: SandboxEngine, clock: ManualClock, fax: Fax, run_until_done: RunUntilDone
) -> None:
    send(("slow", SLOW))
    clock.advance(60)
    assert fax("slow").status is FaxStatus.SENDING
    answer = engine.pause_fax("demo", PauseFaxRequest(message_ref="slow"))
    assert _rows(answer) == {"slow": FaxStatus.SENDING}
    clock.advance(2)
    assert fax("slow").status is FaxStatus.SENDING
    assert run_until_done("slow").results[-1].result is FaxResult.SUCCESS


def test_finalizing_and_done_faxes_are_listed_unchanged(
    send: Send, engine: SandboxEngine, clock: ManualClock
) -> None:
    send(("a", "0298765432"))
    clock.advance(60)  # a is done
    send(("c", "0298765432"))
    clock.advance(54)  # c is finalizing (52 s to 57 s)
    for ref, status in (("a", FaxStatus.DONE), ("c", FaxStatus.FINALIZING)):
        answer = engine.pause_fax("demo", PauseFaxRequest(message_ref=ref))
        assert _rows(answer) == {ref: status}
        answer = engine.stop_fax("demo", StopFaxRequest(message_ref=ref))
        assert _rows(answer) == {ref: status}


def test_pause_by_broadcast_pauses_what_it_can_and_lists_everything(
    send: Send, engine: SandboxEngine, clock: ManualClock, fax: Fax
) -> None:
    send(("slow", SLOW), broadcast_ref="monday")
    send(
        ("later", "0298765432"),
        broadcast_ref="monday",
        scheduled_start_time=clock() + timedelta(hours=1),
    )
    send(("other", "0298765432"), broadcast_ref="tuesday")
    clock.advance(60)
    answer = engine.pause_fax("demo", PauseFaxRequest(broadcast_ref="monday"))
    assert _rows(answer) == {"slow": FaxStatus.SENDING, "later": FaxStatus.PAUSING}
    assert fax("other").status is FaxStatus.DONE


def test_resuming_a_fax_that_is_not_paused_changes_nothing(
    send: Send, engine: SandboxEngine, clock: ManualClock
) -> None:
    send(("m1", "0298765432"))
    clock.advance(7)
    answer = engine.resume_fax("demo", ResumeFaxRequest(message_ref="m1"))
    assert _rows(answer) == {"m1": FaxStatus.QUEUED}


def test_resume_while_still_pausing_cancels_the_pause(
    send: Send, engine: SandboxEngine, clock: ManualClock, fax: Fax
) -> None:
    send(("m1", "0298765432"))
    clock.advance(7)
    engine.pause_fax("demo", PauseFaxRequest(message_ref="m1"))
    clock.advance(1)
    answer = engine.resume_fax("demo", ResumeFaxRequest(message_ref="m1"))
    assert _rows(answer) == {"m1": FaxStatus.RESUMING}
    clock.advance(2)
    assert fax("m1").status is FaxStatus.STARTING


@pytest.mark.parametrize("seconds", [0, 3, 7, 9])
def test_stopping_before_the_call_cancels_the_fax(
    send: Send, engine: SandboxEngine, clock: ManualClock, fax: Fax, seconds: float
) -> None:
    send(("m1", "0298765432"))
    clock.advance(seconds)
    answer = engine.stop_fax("demo", StopFaxRequest(message_ref="m1"))
    assert _rows(answer) == {"m1": FaxStatus.STOPPING}
    clock.advance(2)
    row = fax("m1")
    assert row.status is FaxStatus.DONE
    (attempt,) = row.results
    assert (attempt.result, attempt.error) == (FaxResult.FAILED, FaxError.FAX_CANCELLED)
    assert attempt.date_call_started is None


def test_a_paused_fax_can_be_stopped(
    send: Send, engine: SandboxEngine, clock: ManualClock, fax: Fax
) -> None:
    send(("m1", "0298765432"))
    engine.pause_fax("demo", PauseFaxRequest(message_ref="m1"))
    clock.advance(30)
    assert _rows(engine.stop_fax("demo", StopFaxRequest(message_ref="m1"))) == {
        "m1": FaxStatus.STOPPING
    }
    clock.advance(2)
    assert fax("m1").results[-1].error is FaxError.FAX_CANCELLED


def test_a_fax_on_the_line_cannot_be_stopped(
    send: Send, engine: SandboxEngine, clock: ManualClock, run_until_done: RunUntilDone
) -> None:
    send(("slow", SLOW))
    clock.advance(60)
    assert _rows(engine.stop_fax("demo", StopFaxRequest(message_ref="slow"))) == {
        "slow": FaxStatus.SENDING
    }
    assert run_until_done("slow").results[-1].result is FaxResult.SUCCESS


def test_stop_after_a_failed_attempt_keeps_that_attempt(
    send: Send, engine: SandboxEngine, clock: ManualClock, fax: Fax
) -> None:
    send(("busy", "+61 5 0000 0002"))
    clock.advance(40)  # first call was busy; waiting for the retry
    assert fax("busy").status is FaxStatus.QUEUED
    engine.stop_fax("demo", StopFaxRequest(message_ref="busy"))
    clock.advance(2)
    row = fax("busy")
    assert [(a.attempt, a.error) for a in row.results] == [
        (1, FaxError.FAX_BUSY),
        (2, FaxError.FAX_CANCELLED),
    ]


def test_a_paused_fax_is_still_cancelled_at_its_deadline(
    send: Send, engine: SandboxEngine, clock: ManualClock, fax: Fax
) -> None:
    send(("m1", "0298765432"), must_be_sent_before_date=clock() + timedelta(minutes=5))
    engine.pause_fax("demo", PauseFaxRequest(message_ref="m1"))
    clock.advance(4 * 60)
    assert fax("m1").status is FaxStatus.PAUSED
    clock.advance(60)
    assert fax("m1").status is FaxStatus.DONE
    assert fax("m1").results[-1].error is FaxError.FAX_CANCELLED


def test_transitional_states_count_under_the_nearest_totals_bucket(
    send: Send, engine: SandboxEngine, clock: ManualClock
) -> None:
    send(
        ("pausing", "0298765432"),
        ("paused", "0298765432"),
        ("resuming", "0298765432"),
        ("stopping", "0298765432"),
        send_ref="s1",
    )
    clock.advance(7)
    engine.pause_fax("demo", PauseFaxRequest(message_ref="paused"))
    engine.pause_fax("demo", PauseFaxRequest(message_ref="resuming"))
    clock.advance(2)
    engine.resume_fax("demo", ResumeFaxRequest(message_ref="resuming"))
    engine.pause_fax("demo", PauseFaxRequest(message_ref="pausing"))
    engine.stop_fax("demo", StopFaxRequest(message_ref="stopping"))
    answer = engine.fax_status("demo", FaxStatusRequest(send_ref="s1", verbosity=Verbosity.SEND))
    assert _rows(answer) == {
        "pausing": FaxStatus.PAUSING,
        "paused": FaxStatus.PAUSED,
        "resuming": FaxStatus.RESUMING,
        "stopping": FaxStatus.STOPPING,
    }
    assert answer.status_totals == FaxStatusTotals(queued=2, starting=1, finalizing=1)


def test_control_answers_list_rows_without_totals(send: Send, engine: SandboxEngine) -> None:
    send(("m1", "0298765432"), ("m2", "0298765432"), send_ref="s1")
    for answer in (
        engine.pause_fax("demo", PauseFaxRequest(send_ref="s1")),
        engine.resume_fax("demo", ResumeFaxRequest(send_ref="s1")),
        engine.stop_fax("demo", StopFaxRequest(send_ref="s1")),
    ):
        assert [m.message_ref for m in answer.messages] == ["m1", "m2"]
        assert answer.status_totals == FaxStatusTotals()
        assert all(m.details is None and m.results == [] for m in answer.messages)


@pytest.mark.parametrize("operation", ["fax_status", "pause_fax", "resume_fax", "stop_fax"])
def test_every_selection_needs_at_least_one_reference(
    send: Send, engine: SandboxEngine, operation: str
) -> None:
    send(("m1", "0298765432"))
    call = getattr(engine, operation)
    with pytest.raises(InvalidArgumentsFault, match="BroadcastRef, SendRef or MessageRef"):
        call("demo", _REQUEST_TYPES[operation]())


@pytest.mark.parametrize("operation", ["fax_status", "pause_fax", "resume_fax", "stop_fax"])
def test_no_match_is_no_messages_found(engine: SandboxEngine, operation: str) -> None:
    call = getattr(engine, operation)
    with pytest.raises(NoMessagesFoundFault, match="MessageRef 'nope'"):
        call("demo", _REQUEST_TYPES[operation](message_ref="nope"))


def test_references_combine_to_narrow_the_selection(send: Send, engine: SandboxEngine) -> None:
    send(("a1", "0298765432"), ("a2", "0298765432"), send_ref="sa", broadcast_ref="june")
    send(("b1", "0298765432"), send_ref="sb", broadcast_ref="june")
    send(("c1", "0298765432"), send_ref="sc", broadcast_ref="july")

    def refs(**selection: str) -> list[str]:
        request = FaxStatusRequest(verbosity=Verbosity.SEND, **selection)
        return [m.message_ref or "" for m in engine.fax_status("demo", request).messages]

    assert refs(broadcast_ref="june") == ["a1", "a2", "b1"]
    assert refs(send_ref="sa") == ["a1", "a2"]
    assert refs(broadcast_ref="june", send_ref="sb") == ["b1"]
    assert refs(broadcast_ref="june", message_ref="a2") == ["a2"]
    assert refs(send_ref="sa", message_ref="a2", broadcast_ref="june") == ["a2"]
    with pytest.raises(NoMessagesFoundFault, match="BroadcastRef 'july' and SendRef 'sa'"):
        refs(broadcast_ref="july", send_ref="sa")
    with pytest.raises(NoMessagesFoundFault):
        refs(send_ref="sc", message_ref="a1")
