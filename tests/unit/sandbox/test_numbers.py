"""The test numbers: each ends as its table says, and together they reach every fax error."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.api.models import (
    FaxDocument,
    FaxMessageStatus,
    FaxStatusResponse,
    StopFaxRequest,
)
from faxgui.sandbox import numbers
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.numbers import (
    OTHER_OUTCOMES,
    SANDBOX_NUMBERS,
    SandboxNumber,
    behaviour_for,
    normalise_number,
)

Send = Callable[..., FaxStatusResponse]
RunUntilDone = Callable[..., FaxMessageStatus]


@pytest.mark.parametrize("entry", SANDBOX_NUMBERS, ids=lambda n: n.code)
def test_each_number_ends_as_its_table_says(
    send: Send, run_until_done: RunUntilDone, entry: SandboxNumber
) -> None:
    send(("m1", entry.display))
    row = run_until_done("m1", step=5)
    final = row.results[-1]
    assert (final.result, final.error) == (entry.result, entry.error)
    dialled = [a for a in row.results if a.date_call_started is not None]
    if entry.refusal is not None:
        assert dialled == []  # refused numbers are never dialled
        assert final.pages == 0
    else:
        assert dialled == row.results


def test_together_with_the_request_driven_outcomes_every_fax_error_is_reachable(
    send: Send, engine: SandboxEngine, clock: ManualClock, run_until_done: RunUntilDone
) -> None:
    reached: set[FaxError] = set()
    for entry in SANDBOX_NUMBERS:
        send((f"n{entry.code}", entry.number))
        reached.update(a.error for a in run_until_done(f"n{entry.code}", step=5).results if a.error)

    send(("too-long", "0298765432"), pages=3, max_fax_pages=2)
    send(("damaged", "0298765432"), documents=[FaxDocument("scan.pdf", b"%PDF-1.4 torn")])
    send(("stopped", "0298765432"))
    engine.stop_fax("demo", StopFaxRequest(message_ref="stopped"))
    send(("too-late", "0298765432"), must_be_sent_before_date=clock() + timedelta(seconds=1))
    for ref in ("too-long", "damaged", "stopped", "too-late"):
        reached.update(a.error for a in run_until_done(ref).results if a.error)

    assert reached == set(FaxError)
    assert {o.error for o in OTHER_OUTCOMES} | {n.error for n in SANDBOX_NUMBERS if n.error} == set(
        FaxError
    )


def test_the_slow_number_spends_minutes_sending(
    send: Send,
    clock: ManualClock,
    fax: Callable[..., FaxMessageStatus],
    run_until_done: RunUntilDone,
) -> None:
    send(("slow", "+61 5 0000 0050"))
    clock.advance(5 * 60)
    assert fax("slow").status is FaxStatus.SENDING
    (attempt,) = run_until_done("slow").results
    assert attempt.total_fax_duration is not None
    assert attempt.total_fax_duration > 5 * 60


def test_any_other_number_succeeds_first_time(send: Send, run_until_done: RunUntilDone) -> None:
    send(("m1", "+1 (212) 555-0142"))
    (attempt,) = run_until_done("m1").results
    assert attempt.result is FaxResult.SUCCESS


@pytest.mark.parametrize(
    "written", ["61500000002", "+61 5 0000 0002", "+61-5-0000-0002", "(05) 0000 0002", "0500000002"]
)
def test_test_numbers_are_recognised_however_they_are_written(written: str) -> None:
    assert normalise_number(written) == "61500000002"
    assert behaviour_for(written).error is FaxError.FAX_BUSY


def test_numbers_are_unique_and_obviously_fake() -> None:
    codes = [n.code for n in SANDBOX_NUMBERS]
    assert len(set(codes)) == len(codes)
    for entry in SANDBOX_NUMBERS:
        assert re.fullmatch(r"6150000\d{4}", entry.number)
        assert entry.display.replace(" ", "") == "+" + entry.number


def test_the_module_table_shows_every_number_and_nothing_else() -> None:
    doc = numbers.__doc__ or ""
    rows = re.findall(r"^\| (\+61 5 0000 \d{4}) \| (.+?) \| (.+?) \|$", doc, re.MULTILINE)
    assert rows == [(n.display, n.title, n.outcome) for n in SANDBOX_NUMBERS]
