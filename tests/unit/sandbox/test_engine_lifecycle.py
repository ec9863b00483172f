"""A fax's life in the sandbox: every status in order, timing, schedules, deadlines, totals."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from faxgui.api.enums import FaxError, FaxResult, FaxStatus, Verbosity
from faxgui.api.models import (
    FaxDocument,
    FaxMessage,
    FaxMessageStatus,
    FaxResultsTotals,
    FaxStatusRequest,
    FaxStatusResponse,
    FaxStatusTotals,
    SendFaxRequest,
)
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine

Send = Callable[..., FaxStatusResponse]
Fax = Callable[..., FaxMessageStatus]


def _statuses_second_by_second(clock: ManualClock, fax: Fax, ref: str) -> list[tuple[int, str]]:
    """(second, status) each time the status changes, until done."""
    changes: list[tuple[int, str]] = []
    for second in range(600):
        status = fax(ref).status
        assert status is not None
        if not changes or changes[-1][1] != status.value:
            changes.append((second, status.value))
        if status is FaxStatus.DONE:
            return changes
        clock.advance(1)
    raise AssertionError(f"not done after 600 s: {changes}")


def test_a_fax_passes_through_every_status_in_order_in_about_a_minute(
    send: Send, clock: ManualClock, fax: Fax
) -> None:
    send(("m1", "0298765432"))
    changes = _statuses_second_by_second(clock, fax, "m1")
    assert [status for _, status in changes] == [
        "pending",
        "processing",
        "queued",
        "starting",
        "sending",
        "finalizing",
        "done",
    ]
    assert 50 <= changes[-1][0] <= 70  # "about a minute" at speed 1
    row = fax("m1")
    assert row.results[-1].result is FaxResult.SUCCESS


def test_each_extra_page_keeps_the_fax_on_the_line_longer(
    send: Send, run_until_done: Callable[..., FaxMessageStatus]
) -> None:
    send(("one", "0298765432"), pages=1)
    send(("three", "0298765433"), pages=3)
    one = run_until_done("one").results[-1]
    three = run_until_done("three").results[-1]
    assert (one.pages, three.pages) == (1, 3)
    assert three.total_fax_duration is not None
    assert one.total_fax_duration is not None
    assert three.total_fax_duration - one.total_fax_duration == 60
    assert (one.cost, three.cost) == (Decimal("0.10"), Decimal("0.30"))


def test_speed_divides_every_duration(make_pdf: Callable[[int], bytes]) -> None:
    clock = ManualClock()
    engine = SandboxEngine(speed=10, clock=clock)
    engine.send_fax(
        "demo",
        SendFaxRequest(
            fax_messages=[FaxMessage("m1", "0298765432")],
            documents=[FaxDocument("a.pdf", make_pdf(1))],
        ),
    )
    request = FaxStatusRequest(message_ref="m1", verbosity=Verbosity.RESULTS)
    clock.advance(5.5)  # 57 s at speed 1: finalizing from 5.2 s to 5.7 s
    assert engine.fax_status("demo", request).messages[0].status is FaxStatus.FINALIZING
    clock.advance(0.5)
    row = engine.fax_status("demo", request).messages[0]
    assert row.status is FaxStatus.DONE
    assert row.results[0].total_fax_duration == 4  # 40 s of line time, ten times faster


def test_on_the_computers_clock_a_fast_engine_finishes_in_moments(
    make_pdf: Callable[[int], bytes],
) -> None:
    engine = SandboxEngine(speed=1000)
    engine.send_fax(
        "demo",
        SendFaxRequest(
            fax_messages=[FaxMessage("m1", "0298765432")],
            documents=[FaxDocument("a.pdf", make_pdf(1))],
        ),
    )
    request = FaxStatusRequest(message_ref="m1", verbosity=Verbosity.RESULTS)
    deadline = time.monotonic() + 5
    while engine.fax_status("demo", request).messages[0].status is not FaxStatus.DONE:
        assert time.monotonic() < deadline, "a one-page fax at speed 1000 takes about 60 ms"
        time.sleep(0.01)
    attempt = engine.fax_status("demo", request).messages[0].results[0]
    assert attempt.result is FaxResult.SUCCESS
    assert attempt.date_call_started is not None
    assert attempt.date_call_started.tzinfo is not None


def test_a_scheduled_fax_stays_queued_until_its_start_time(
    send: Send, clock: ManualClock, fax: Fax
) -> None:
    start = clock() + timedelta(hours=2)
    send(("later", "0298765432"), scheduled_start_time=start)
    clock.advance(60 * 60)
    assert fax("later").status is FaxStatus.QUEUED
    clock.set(start)
    assert fax("later").status is FaxStatus.STARTING
    clock.advance(120)
    attempt = fax("later").results[0]
    assert attempt.scheduled_start_time == start
    assert attempt.date_call_started is not None
    assert attempt.date_call_started > start


def test_a_start_time_in_the_past_means_now(send: Send, clock: ManualClock, fax: Fax) -> None:
    send(("m1", "0298765432"), scheduled_start_time=clock() - timedelta(days=1))
    clock.advance(8)
    assert fax("m1").status is FaxStatus.STARTING


def test_a_deadline_that_passes_before_the_call_cancels_the_fax(
    send: Send, clock: ManualClock, fax: Fax
) -> None:
    send(
        ("m1", "0298765432"),
        scheduled_start_time=clock() + timedelta(minutes=30),
        must_be_sent_before_date=clock() + timedelta(minutes=10),
    )
    clock.advance(9 * 60)
    assert fax("m1").status is FaxStatus.QUEUED
    clock.advance(60)
    row = fax("m1")
    assert row.status is FaxStatus.DONE
    (attempt,) = row.results
    assert (attempt.result, attempt.error) == (FaxResult.FAILED, FaxError.FAX_CANCELLED)
    assert attempt.date_call_started is None
    assert attempt.pages == 0
    assert attempt.cost == Decimal("0.00")


def test_a_deadline_between_retries_cancels_the_next_attempt(
    send: Send, clock: ManualClock, run_until_done: Callable[..., FaxMessageStatus]
) -> None:
    sent_at = clock()
    # Busy every time: the first call ends at 27 s; the retry starts at 87 s and would
    # dial at 91 s, so the deadline at 90 s catches it while it is starting.
    send(("m1", "+61 5 0000 0002"), must_be_sent_before_date=sent_at + timedelta(seconds=90))
    row = run_until_done("m1")
    assert [a.error for a in row.results] == [FaxError.FAX_BUSY, FaxError.FAX_CANCELLED]
    assert clock() - sent_at == timedelta(seconds=90)


def test_a_deadline_already_past_cancels_the_fax_at_once(
    send: Send, clock: ManualClock, fax: Fax
) -> None:
    send(("m1", "0298765432"), must_be_sent_before_date=clock() - timedelta(minutes=1))
    assert fax("m1").status is FaxStatus.DONE
    assert fax("m1").results[0].error is FaxError.FAX_CANCELLED


def test_times_are_timezone_aware_with_milliseconds(make_pdf: Callable[[int], bytes]) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 10, 15, 0, 123456, tzinfo=UTC))
    engine = SandboxEngine(clock=clock)
    engine.send_fax(
        "demo",
        SendFaxRequest(
            fax_messages=[FaxMessage("m1", "0298765432")],
            documents=[FaxDocument("a.pdf", make_pdf(1))],
        ),
    )
    clock.advance(120)
    answer = engine.fax_status("demo", FaxStatusRequest(message_ref="m1", verbosity=Verbosity.ALL))
    attempt = answer.messages[0].results[0]
    for moment in (
        attempt.scheduled_start_time,
        attempt.date_call_started,
        attempt.date_call_ended,
    ):
        assert moment is not None
        assert moment.utcoffset() is not None
        assert moment.microsecond == 123000
    assert attempt.date_call_ended is not None
    assert attempt.date_call_started is not None
    assert (attempt.date_call_ended - attempt.date_call_started).total_seconds() == 40


def test_too_many_pages_fail_the_fax_without_a_call(
    send: Send, clock: ManualClock, fax: Fax
) -> None:
    send(("m1", "0298765432"), pages=3, max_fax_pages=2)
    clock.advance(5)
    assert fax("m1").status is FaxStatus.PROCESSING
    clock.advance(1)
    row = fax("m1")
    assert row.status is FaxStatus.DONE
    (attempt,) = row.results
    assert (attempt.result, attempt.error) == (
        FaxResult.FAILED,
        FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT,
    )
    assert (attempt.pages, attempt.cost, attempt.total_fax_duration) == (0, Decimal("0.00"), 0)
    assert attempt.date_call_started is None
    assert attempt.date_call_ended is None


def test_the_page_limit_is_twenty_unless_the_request_says_otherwise(
    send: Send, run_until_done: Callable[..., FaxMessageStatus]
) -> None:
    send(("twenty", "0298765432"), pages=20)
    send(("twenty-one", "0298765432"), pages=21)
    assert run_until_done("twenty").results[-1].result is FaxResult.SUCCESS
    assert run_until_done("twenty-one").results[-1].error is FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT


def test_a_damaged_document_fails_as_unsupported(
    send: Send, run_until_done: Callable[..., FaxMessageStatus]
) -> None:
    send(("m1", "0298765432"), documents=[FaxDocument("scan.pdf", b"%PDF-1.4 torn in half")])
    assert run_until_done("m1").results[0].error is FaxError.DOCUMENT_UNSUPPORTED


def test_send_answers_with_one_pending_row_per_message_and_totals(send: Send) -> None:
    answer = send(("a", "0298765432"), ("b", "0298765433"), send_ref="s1", broadcast_ref="b1")
    assert answer.status_totals == FaxStatusTotals(pending=2)
    assert [(m.message_ref, m.send_ref, m.broadcast_ref, m.status) for m in answer.messages] == [
        ("a", "s1", "b1", FaxStatus.PENDING),
        ("b", "s1", "b1", FaxStatus.PENDING),
    ]
    assert all(m.details is None and m.results == [] for m in answer.messages)


@pytest.mark.parametrize(
    ("verbosity", "rows", "details", "results"),
    [
        (Verbosity.BRIEF, False, False, False),
        (None, False, False, False),
        (Verbosity.SEND, True, False, False),
        (Verbosity.DETAILS, True, True, False),
        (Verbosity.RESULTS, True, False, True),
        (Verbosity.ALL, True, True, True),
    ],
)
def test_status_answers_at_the_requested_verbosity(
    send: Send,
    engine: SandboxEngine,
    clock: ManualClock,
    verbosity: Verbosity | None,
    rows: bool,
    details: bool,
    results: bool,
) -> None:
    send(("m1", "0298765432"), send_ref="s1", send_from="Front Desk")
    clock.advance(120)
    answer = engine.fax_status("demo", FaxStatusRequest(send_ref="s1", verbosity=verbosity))
    assert answer.status_totals == FaxStatusTotals(done=1)
    assert answer.results_totals.success == 1
    assert bool(answer.messages) is rows
    if rows:
        (row,) = answer.messages
        assert (row.details is not None) is details
        assert bool(row.results) is results
        if details:
            assert row.details is not None
            assert row.details.send_from == "Front Desk"


def test_totals_add_up_results_attempts_time_and_pages(
    send: Send, engine: SandboxEngine, clock: ManualClock
) -> None:
    send(
        ("ok", "0298765432"),
        ("busy", "+61 5 0000 0002"),
        ("blocked", "+61 5 0000 0020"),
        send_ref="batch",
        pages=2,
    )
    clock.advance(3600)
    answer = engine.fax_status("demo", FaxStatusRequest(send_ref="batch", verbosity=Verbosity.ALL))
    assert answer.status_totals == FaxStatusTotals(done=3)
    assert answer.results_totals == FaxResultsTotals(
        success=1,
        blocked=1,
        failed=1,
        total_attempts=1 + 4,  # the blocked fax was never dialled
        total_fax_duration=70 + 4 * 15,
        total_pages=2,
    )


def test_a_fax_life_depends_on_the_clock_not_on_how_often_anyone_asks(
    make_pdf: Callable[[int], bytes],
) -> None:
    def run(poll_every: float | None) -> FaxStatusResponse:
        clock = ManualClock()
        engine = SandboxEngine(clock=clock)
        engine.send_fax(
            "demo",
            SendFaxRequest(
                fax_messages=[
                    FaxMessage("busy", "+61 5 0000 0001"),
                    FaxMessage("ok", "0298765432"),
                ],
                send_ref="s1",
                documents=[FaxDocument("a.pdf", make_pdf(2))],
            ),
        )
        request = FaxStatusRequest(send_ref="s1", verbosity=Verbosity.ALL)
        waited = 0.0
        while waited < 600:
            step = poll_every or 600
            clock.advance(step)
            waited += step
            if poll_every:
                engine.fax_status("demo", request)
        return engine.fax_status("demo", request)

    assert run(poll_every=0.5) == run(poll_every=7.5) == run(poll_every=None)
