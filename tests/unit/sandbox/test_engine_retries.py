"""Retries: each attempt leaves a FaxResult; busy and no-answer use busy retries, others retries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from faxgui.api.enums import FaxError, FaxResult
from faxgui.api.errors import InvalidArgumentsFault
from faxgui.api.models import FaxMessage, FaxMessageStatus, FaxStatusResponse
from faxgui.sandbox.clock import ManualClock

Send = Callable[..., FaxStatusResponse]
RunUntilDone = Callable[..., FaxMessageStatus]

BUSY_ONCE = "+61 5 0000 0001"
BUSY = "+61 5 0000 0002"
NO_ANSWER = "+61 5 0000 0003"
NEGOTIATION = "+61 5 0000 0004"
HANGS_UP = "+61 5 0000 0005"
HANGS_UP_ONCE = "+61 5 0000 0010"


def test_busy_once_then_sent_leaves_two_attempts(
    send: Send, clock: ManualClock, run_until_done: RunUntilDone
) -> None:
    sent_at = clock()
    send(("m1", BUSY_ONCE))
    busy, sent = run_until_done("m1").results
    assert (busy.attempt, busy.result, busy.error) == (1, FaxResult.FAILED, FaxError.FAX_BUSY)
    assert (busy.cost, busy.pages, busy.total_fax_duration) == (Decimal("0.00"), 0, 15)
    assert busy.scheduled_start_time == sent_at
    assert busy.date_call_started == sent_at + timedelta(seconds=12)
    assert busy.date_call_ended == sent_at + timedelta(seconds=27)

    assert (sent.attempt, sent.result, sent.error) == (2, FaxResult.SUCCESS, None)
    assert (sent.cost, sent.pages, sent.total_fax_duration) == (Decimal("0.10"), 1, 40)
    # The retry is due a minute after the busy call ended.
    assert sent.scheduled_start_time == sent_at + timedelta(seconds=27 + 60)
    assert sent.date_call_started is not None
    assert sent.scheduled_start_time is not None
    assert sent.date_call_started > sent.scheduled_start_time


@pytest.mark.parametrize(
    ("number", "error"), [(BUSY, FaxError.FAX_BUSY), (NO_ANSWER, FaxError.FAX_NO_ANSWER)]
)
def test_busy_and_no_answer_use_the_busy_retries(
    send: Send, run_until_done: RunUntilDone, number: str, error: FaxError
) -> None:
    send(("default", number))
    send(FaxMessage("two", number, busy_retries=2, retries=0))
    send(FaxMessage("none", number, busy_retries=0, retries=5))
    assert [a.error for a in run_until_done("default").results] == [error] * 4  # 1 + 3
    assert [a.attempt for a in run_until_done("two").results] == [1, 2, 3]
    assert len(run_until_done("none").results) == 1


def test_other_failures_use_the_retries(send: Send, run_until_done: RunUntilDone) -> None:
    send(("default", NEGOTIATION))
    send(FaxMessage("five", NEGOTIATION, retries=5, busy_retries=0))
    send(FaxMessage("none", NEGOTIATION, retries=0, busy_retries=9))
    assert [a.error for a in run_until_done("default").results] == [
        FaxError.FAX_NEGOTIATION_FAILED
    ] * 3  # 1 + 2
    assert len(run_until_done("five").results) == 6
    assert len(run_until_done("none").results) == 1


def test_busy_once_without_busy_retries_ends_busy(send: Send, run_until_done: RunUntilDone) -> None:
    send(FaxMessage("m1", BUSY_ONCE, busy_retries=0))
    (attempt,) = run_until_done("m1").results
    assert (attempt.result, attempt.error) == (FaxResult.FAILED, FaxError.FAX_BUSY)


def test_a_retry_after_a_dropped_call_can_succeed(send: Send, run_until_done: RunUntilDone) -> None:
    send(("m1", HANGS_UP_ONCE), pages=4)
    dropped, sent = run_until_done("m1").results
    assert (dropped.error, dropped.pages, dropped.cost) == (
        FaxError.FAX_EARLY_HANGUP,
        2,
        Decimal("0.20"),
    )
    assert (sent.result, sent.pages, sent.cost) == (FaxResult.SUCCESS, 4, Decimal("0.40"))


def test_a_call_dropped_halfway_charges_the_pages_that_got_through(
    send: Send, run_until_done: RunUntilDone
) -> None:
    send(FaxMessage("m1", HANGS_UP, retries=0), pages=5)
    (attempt,) = run_until_done("m1").results
    assert (attempt.pages, attempt.cost) == (2, Decimal("0.20"))
    assert attempt.total_fax_duration == 10 + 75


def test_request_retries_are_inherited_and_message_retries_win(
    send: Send, run_until_done: RunUntilDone
) -> None:
    send(("inherits", NEGOTIATION), FaxMessage("own", NEGOTIATION, retries=0), retries=1)
    assert len(run_until_done("inherits").results) == 2
    assert len(run_until_done("own").results) == 1


@pytest.mark.parametrize(
    "fields",
    [{"retries": -1}, {"retries": 11}, {"busy_retries": -1}, {"busy_retries": 11}],
)
def test_retries_outside_the_account_range_are_refused(send: Send, fields: dict[str, int]) -> None:
    with pytest.raises(InvalidArgumentsFault, match="maximum of 10"):
        send(("m1", "0298765432"), **fields)
    with pytest.raises(InvalidArgumentsFault, match="MessageRef 'm2'"):
        send(FaxMessage("m2", "0298765432", **fields))
