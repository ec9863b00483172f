"""Real broadcasts through the sandbox, polled by the poll plan and merged: the history matches it.

Each test compares what the history holds (rows, totals, errors, attempts)
with what the sandbox itself answers for the same references.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from faxgui.api import MonopondClient
from faxgui.api.enums import FaxError, FaxResult, FaxStatus, Verbosity
from faxgui.api.models import (
    FaxMessage,
    FaxStatusRequest,
    PauseFaxRequest,
    ResumeFaxRequest,
    SendFaxRequest,
    StopFaxRequest,
)
from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.pipeline import SendPipeline
from faxgui.compose.requests import build_send_job
from faxgui.compose.resend import plan_resend, submit_resend
from faxgui.jobs.history import HistoryMessage, JobHistory
from faxgui.jobs.poll_plan import PollPlanner, PollSettings, RefKind
from faxgui.jobs.store import JobStore
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.server import SandboxServer

# Test numbers of the sandbox (see the README): how each fax ends.
NUMBERS = {
    "61500000000": (FaxResult.SUCCESS, None),
    "61500000001": (FaxResult.SUCCESS, None),  # busy once
    "61500000002": (FaxResult.FAILED, FaxError.FAX_BUSY),
    "61500000003": (FaxResult.FAILED, FaxError.FAX_NO_ANSWER),
    "61500000005": (FaxResult.FAILED, FaxError.FAX_EARLY_HANGUP),
    "61500000007": (FaxResult.FAILED, FaxError.FAX_NUMBER_UNOBTAINABLE),
    "61500000010": (FaxResult.SUCCESS, None),  # hangs up once
    "61500000020": (FaxResult.BLOCKED, FaxError.BLOCK_GLOBAL),
    "61500000030": (FaxResult.FAILED, FaxError.FUNDS_INSUFFICIENT),
}

# Quick polling for a sandbox running 1000 times faster than life.
QUICK = PollSettings(
    interval=timedelta(milliseconds=20),
    max_interval=timedelta(milliseconds=200),
    failure_max=timedelta(milliseconds=200),
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    with JobStore(tmp_path / "jobs.sqlite3") as instance:
        yield instance


@pytest.fixture
def client_factory(sandbox: SandboxServer) -> Callable[[], MonopondClient]:
    return lambda: MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0)


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    import pymupdf

    document = pymupdf.open()
    for number in (1, 2):
        document.new_page(width=612, height=792).insert_text((72, 100), f"Page {number}")
    path = tmp_path / "results.pdf"
    path.write_bytes(document.tobytes())
    return path


def _draft(letter: Path, numbers: list[str]) -> Draft:
    draft = Draft.new()
    draft.add_document(letter).page_count = 2
    draft.add_recipients(
        Recipient(fax_number=n, normalised=n, name=f"Practice {i}") for i, n in enumerate(numbers)
    )
    return draft


def poll_until_finished(
    history: JobHistory, client_factory: Callable[[], MonopondClient], seconds: float = 30
) -> int:
    """What the app's poller does, on the wall clock: plan, ask, merge, until all is done."""
    planner = PollPlanner(QUICK)
    polls = 0
    deadline = time.monotonic() + seconds
    with client_factory() as client:
        while time.monotonic() < deadline:
            work = history.unfinished_work()
            now = datetime.now(UTC)
            next_due = planner.next_due(work, now)
            if next_due is None:
                return polls
            time.sleep(max((next_due - now).total_seconds(), 0))
            for target in planner.due(work, datetime.now(UTC)):
                asked = datetime.now(UTC)
                request = target.request()
                answer = client.fax_status(request)
                history.merge(
                    answer,
                    account=client.username,
                    endpoint=client.endpoint,
                    selection=request,
                    observed_at=asked,
                )
                planner.record_success(target, datetime.now(UTC))
                polls += 1
    raise AssertionError("faxes still unfinished after polling for 30 s")


def assert_history_matches_the_service(
    history: JobHistory, client: MonopondClient, kind: RefKind, ref: str
) -> None:
    """Rows, totals, errors and attempts in the history equal the sandbox's own answer."""
    request = FaxStatusRequest(verbosity=Verbosity.RESULTS)
    setattr(request, f"{kind.value}_ref", ref)
    answer = client.fax_status(request)
    by_ref: dict[str, HistoryMessage] = {m.message_ref: m for m in history.snapshot().messages}
    for fax in answer.messages:
        row = by_ref[fax.message_ref or ""]
        latest = fax.latest_attempt
        assert row.status is fax.status, fax.message_ref
        assert row.attempts == len(fax.results)
        assert row.result is (latest.result if latest else None)
        assert row.error is (latest.error if latest else None)
        assert row.pages == (latest.pages if latest else None)
        costs = [a.cost for a in fax.results if a.cost is not None]
        assert row.cost == (sum(costs, Decimal(0)) if costs else None)
        stored = history.attempts(row.id)
        assert [(a.attempt, a.result, a.error, a.date_call_started) for a in stored] == [
            (a.attempt, a.result, a.error, a.date_call_started) for a in fax.results
        ]
    snapshot = history.snapshot()
    rows = [by_ref[fax.message_ref or ""] for fax in answer.messages]
    if kind is RefKind.SEND:
        totals = snapshot.send_totals[rows[0].send_id]
    else:
        totals = snapshot.broadcast_totals[rows[0].broadcast_id]
    assert totals.faxes == len(answer.messages)
    assert totals.status == answer.status_totals
    assert totals.results == answer.results_totals


def test_a_broadcast_of_every_kind_of_ending_is_followed_to_the_end(
    store: JobStore,
    client_factory: Callable[[], MonopondClient],
    letter: Path,
) -> None:
    draft = _draft(letter, list(NUMBERS) * 2)
    pipeline = SendPipeline(client_factory, store)
    report = pipeline.submit(build_send_job(draft, max_messages=7))
    assert report.all_submitted
    history = JobHistory(store)
    assert len(history.unfinished_work()) == 3
    polls = poll_until_finished(history, client_factory)
    assert polls >= 1
    snapshot = history.snapshot()
    assert [s.send_ref for s in snapshot.sends] == [
        f"{draft.broadcast_ref}-S{n}" for n in (1, 2, 3)
    ]
    for fax in snapshot.messages:
        assert (fax.outcome, fax.error) == NUMBERS[fax.send_to], fax.send_to
    busy_once = next(m for m in snapshot.messages if m.send_to == "61500000001")
    assert (busy_once.attempts, busy_once.calls, busy_once.pages) == (2, 2, 2)
    with client_factory() as client:
        assert_history_matches_the_service(history, client, RefKind.BROADCAST, draft.broadcast_ref)
        for send in snapshot.sends:
            assert_history_matches_the_service(history, client, RefKind.SEND, send.send_ref)
    # Everything finished: the poller has nothing left to ask about.
    assert history.unfinished_work() == []
    assert PollPlanner(QUICK).next_due(history.unfinished_work(), datetime.now(UTC)) is None

    # The failed ones go again as a new send of the broadcast, and are followed too.
    plan = plan_resend(store, history, broadcast_id=snapshot.broadcasts[0].id)
    assert plan.fax_count == 2 * 5
    assert submit_resend(pipeline, plan).all_submitted
    poll_until_finished(history, client_factory)
    with client_factory() as client:
        assert_history_matches_the_service(history, client, RefKind.BROADCAST, draft.broadcast_ref)
        assert_history_matches_the_service(history, client, RefKind.SEND, plan.send_refs[0])


def test_pause_resume_and_stop_show_each_step_as_the_service_reports_it(
    store: JobStore, paced_sandbox: SandboxServer, clock: ManualClock, letter: Path
) -> None:
    factory = lambda: MonopondClient(  # noqa: E731
        paced_sandbox.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0
    )
    draft = _draft(letter, ["61500000000", "61500000000", "61500000002"])
    pipeline = SendPipeline(factory, store)
    assert pipeline.submit(build_send_job(draft)).all_submitted
    history = JobHistory(store)
    first, second, third = (m.message_ref for m in history.snapshot().messages)
    ref = draft.send_ref

    def status_of(message_ref: str) -> FaxStatus | None:
        return next(m for m in history.snapshot().messages if m.message_ref == message_ref).status

    with factory() as client:

        def act(request: object, call: Callable[[object], object]) -> None:
            asked = datetime.now(UTC)
            answer = call(request)
            history.merge(
                answer,
                account=client.username,
                endpoint=client.endpoint,  # type: ignore[arg-type]
                selection=request,
                observed_at=asked,
            )  # type: ignore[arg-type]

        def poll() -> None:
            act(FaxStatusRequest(send_ref=ref, verbosity=Verbosity.RESULTS), client.fax_status)  # type: ignore[arg-type]

        # A poll asked now, whose answer is merged only after the pause's (it was slow).
        stale_at = datetime.now(UTC)
        stale = client.fax_status(FaxStatusRequest(send_ref=ref, verbosity=Verbosity.RESULTS))
        act(PauseFaxRequest(message_ref=first), client.pause_fax)  # type: ignore[arg-type]
        assert status_of(first) is FaxStatus.PAUSING
        changed = history.merge(
            stale,
            account=client.username,
            endpoint=client.endpoint,
            selection=FaxStatusRequest(send_ref=ref),
            observed_at=stale_at,
        )
        assert status_of(first) is FaxStatus.PAUSING
        assert not changed

        clock.advance(3)
        poll()
        assert status_of(first) is FaxStatus.PAUSED
        assert_history_matches_the_service(history, client, RefKind.SEND, ref)

        # Another slow poll, asked while it is paused and merged after it has resumed:
        # "paused" comes later in a fax's life than "queued", yet this answer is older.
        stale_at = datetime.now(UTC)
        stale = client.fax_status(FaxStatusRequest(send_ref=ref, verbosity=Verbosity.RESULTS))
        act(StopFaxRequest(message_ref=second), client.stop_fax)  # type: ignore[arg-type]
        assert status_of(second) is FaxStatus.STOPPING
        act(ResumeFaxRequest(message_ref=first), client.resume_fax)  # type: ignore[arg-type]
        assert status_of(first) is FaxStatus.RESUMING
        assert_history_matches_the_service(history, client, RefKind.SEND, ref)
        clock.advance(3)
        poll()
        assert status_of(first) in (FaxStatus.QUEUED, FaxStatus.PROCESSING)
        history.merge(
            stale,
            account=client.username,
            endpoint=client.endpoint,
            selection=FaxStatusRequest(send_ref=ref),
            observed_at=stale_at,
        )
        assert status_of(first) in (FaxStatus.QUEUED, FaxStatus.PROCESSING)
        assert_history_matches_the_service(history, client, RefKind.SEND, ref)

        # Let the faxes run their course: the busy number retries, then fails.
        for _ in range(60):
            clock.advance(30)
            poll()
            if not history.unfinished_work():
                break
        assert_history_matches_the_service(history, client, RefKind.SEND, ref)
    rows = {m.message_ref: m for m in history.snapshot().messages}
    assert (rows[first].outcome, rows[first].stopped) == (FaxResult.SUCCESS, False)
    assert (rows[second].outcome, rows[second].error, rows[second].stopped) == (
        FaxResult.FAILED,
        FaxError.FAX_CANCELLED,
        True,
    )
    assert (rows[third].outcome, rows[third].error) == (FaxResult.FAILED, FaxError.FAX_BUSY)
    assert rows[third].attempts == 4  # one call and three busy retries


def test_a_reference_sent_from_another_program_is_followed_like_a_local_fax(
    store: JobStore, client_factory: Callable[[], MonopondClient], letter: Path
) -> None:
    from faxgui.api.models import FaxDocument

    with client_factory() as other_program:
        other_program.send_fax(
            SendFaxRequest(
                broadcast_ref="ELSEWHERE-1",
                send_ref="ELSEWHERE-1-A",
                documents=[FaxDocument("results.pdf", letter.read_bytes())],
                fax_messages=[
                    FaxMessage("ELSEWHERE-1-A-1", "61500000000"),
                    FaxMessage("ELSEWHERE-1-A-2", "61500000003"),
                ],
            )
        )
    history = JobHistory(store)
    with client_factory() as client:
        request = FaxStatusRequest(broadcast_ref="ELSEWHERE-1", verbosity=Verbosity.RESULTS)
        answer = client.fax_status(request)
        merged = history.track(
            RefKind.BROADCAST,
            "ELSEWHERE-1",
            answer,
            account=client.username,
            endpoint=client.endpoint,
        )
    assert len(merged.added_messages) == 2
    (broadcast,) = history.snapshot().broadcasts
    assert broadcast.tracked
    poll_until_finished(history, client_factory)
    with client_factory() as client:
        assert_history_matches_the_service(history, client, RefKind.BROADCAST, "ELSEWHERE-1")
    outcomes = sorted((m.send_to, m.outcome) for m in history.snapshot().messages)
    assert outcomes == [("61500000000", FaxResult.SUCCESS), ("61500000003", FaxResult.FAILED)]
