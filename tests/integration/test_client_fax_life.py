"""A fax's life seen through the client: pause, resume, stop, retries and blocks, step by step.

The sandbox runs on a clock the test moves by hand, so every state is reached
deliberately rather than raced for.
"""

from __future__ import annotations

from faxgui.api import (
    FaxDocument,
    FaxError,
    FaxMessage,
    FaxMessageStatus,
    FaxResult,
    FaxStatus,
    FaxStatusRequest,
    MonopondClient,
    PauseFaxRequest,
    ResumeFaxRequest,
    SendFaxRequest,
    StopFaxRequest,
    Verbosity,
)
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.numbers import SUCCESS, behaviour_for

LETTER = FaxDocument(file_name="letter.txt", file_data=b"Appointment confirmed for Tuesday.\n")


def _number(code: str) -> str:
    number = behaviour_for("+61 5 0000 " + code)
    assert number.code == code
    return number.display


def _send(client: MonopondClient, ref: str, send_to: str, **settings: object) -> None:
    client.send_fax(
        SendFaxRequest(
            send_ref=ref,
            documents=[LETTER],
            fax_messages=[FaxMessage(message_ref=ref, send_to=send_to, **settings)],
        )
    )


def _status(client: MonopondClient, ref: str) -> FaxMessageStatus:
    answer = client.fax_status(FaxStatusRequest(message_ref=ref, verbosity=Verbosity.ALL))
    (message,) = answer.messages
    return message


def _run_until_done(client: MonopondClient, clock: ManualClock, ref: str) -> FaxMessageStatus:
    seen: list[FaxStatus | None] = []
    for _ in range(400):
        message = _status(client, ref)
        if not seen or seen[-1] is not message.status:
            seen.append(message.status)
        if message.status is FaxStatus.DONE:
            return message
        clock.advance(5)
    raise AssertionError(f"fax {ref} never finished; went through {seen}")


def test_a_paused_fax_waits_until_resumed_then_is_sent(
    paced_client: MonopondClient, clock: ManualClock
) -> None:
    _send(paced_client, "pause-1", SUCCESS.display)
    paused = paced_client.pause_fax(PauseFaxRequest(message_ref="pause-1"))
    assert paused.messages[0].status is FaxStatus.PAUSING

    clock.advance(3)
    assert _status(paced_client, "pause-1").status is FaxStatus.PAUSED
    clock.advance(3600)
    assert _status(paced_client, "pause-1").status is FaxStatus.PAUSED

    resumed = paced_client.resume_fax(ResumeFaxRequest(message_ref="pause-1"))
    assert resumed.messages[0].status is FaxStatus.RESUMING
    done = _run_until_done(paced_client, clock, "pause-1")
    attempt = done.latest_attempt
    assert attempt is not None
    assert attempt.result is FaxResult.SUCCESS


def test_a_stopped_fax_ends_cancelled_without_a_call(
    paced_client: MonopondClient, clock: ManualClock
) -> None:
    _send(paced_client, "stop-1", SUCCESS.display)
    stopped = paced_client.stop_fax(StopFaxRequest(send_ref="stop-1"))
    assert stopped.messages[0].status is FaxStatus.STOPPING

    done = _run_until_done(paced_client, clock, "stop-1")
    attempt = done.latest_attempt
    assert attempt is not None
    assert attempt.result is FaxResult.FAILED
    assert attempt.error is FaxError.FAX_CANCELLED
    assert attempt.pages == 0


def test_a_fax_already_on_the_line_cannot_be_paused(
    paced_client: MonopondClient, clock: ManualClock
) -> None:
    _send(paced_client, "slow-1", _number("0050"))
    for _ in range(20):
        if _status(paced_client, "slow-1").status is FaxStatus.SENDING:
            break
        clock.advance(2)
    answer = paced_client.pause_fax(PauseFaxRequest(message_ref="slow-1"))
    assert answer.messages[0].status is FaxStatus.SENDING


def test_a_busy_line_is_retried_and_the_fax_goes_through(
    paced_client: MonopondClient, clock: ManualClock
) -> None:
    _send(paced_client, "busy-once", _number("0001"))
    done = _run_until_done(paced_client, clock, "busy-once")
    assert [(a.attempt, a.result, a.error) for a in done.results] == [
        (1, FaxResult.FAILED, FaxError.FAX_BUSY),
        (2, FaxResult.SUCCESS, None),
    ]


def test_busy_retries_run_out_and_the_fax_fails_busy(
    paced_client: MonopondClient, clock: ManualClock
) -> None:
    _send(paced_client, "busy-always", _number("0002"), busy_retries=1)
    done = _run_until_done(paced_client, clock, "busy-always")
    assert [a.error for a in done.results] == [FaxError.FAX_BUSY, FaxError.FAX_BUSY]
    status = paced_client.fax_status(FaxStatusRequest(send_ref="busy-always"))
    assert status.results_totals.failed == 1
    assert status.results_totals.total_attempts == 2


def test_a_blocklisted_number_is_never_dialled(
    paced_client: MonopondClient, clock: ManualClock
) -> None:
    _send(paced_client, "blocked-1", _number("0022"))
    done = _run_until_done(paced_client, clock, "blocked-1")
    (attempt,) = done.results
    assert attempt.result is FaxResult.BLOCKED
    assert attempt.error is FaxError.BLOCK_DNCR
    assert attempt.date_call_started is None
