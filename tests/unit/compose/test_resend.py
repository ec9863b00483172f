"""Resending failed faxes as a new send of the same broadcast, and opening a job as a new draft."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from faxgui.api import MonopondClient
from faxgui.api.enums import FaxError, FaxResult, Verbosity
from faxgui.api.models import FaxStatusRequest, FaxStatusResponse, SendFaxRequest
from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.pipeline import SendPipeline
from faxgui.compose.requests import build_send_job
from faxgui.compose.resend import (
    ResendError,
    draft_from_broadcast,
    draft_from_send,
    failed_messages,
    plan_resend,
    submit_resend,
)
from faxgui.jobs.history import JobHistory
from faxgui.jobs.store import JobStore, SendState
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import SandboxServer

FAST = 1000.0
SENT, BUSY, NO_ANSWER, BLOCKED = "61500000000", "61500000002", "61500000003", "61500000020"


class KeepingEngine(SandboxEngine):
    """A sandbox engine that keeps every SendFax request it is given."""

    def __init__(self) -> None:
        super().__init__(speed=FAST)
        self.requests: list[SendFaxRequest] = []

    def send_fax(self, account: str, req: SendFaxRequest) -> FaxStatusResponse:
        self.requests.append(req)
        return super().send_fax(account, req)


@pytest.fixture
def engine() -> KeepingEngine:
    return KeepingEngine()


@pytest.fixture
def sandbox(engine: KeepingEngine) -> Iterator[SandboxServer]:
    server = SandboxServer("127.0.0.1", 0, engine=engine)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    with JobStore(tmp_path / "jobs.sqlite3") as instance:
        yield instance


@pytest.fixture
def client_factory(sandbox: SandboxServer) -> Callable[[], MonopondClient]:
    return lambda: MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0)


@pytest.fixture
def pipeline(client_factory: Callable[[], MonopondClient], store: JobStore) -> SendPipeline:
    return SendPipeline(client_factory, store)


def _draft(letter: Path, numbers: list[str]) -> Draft:
    draft = Draft.new()
    draft.add_document(letter).page_count = 2
    draft.options.retries = 1
    draft.add_recipients(
        Recipient(fax_number=n, normalised=n, name=f"Clinic {i}") for i, n in enumerate(numbers)
    )
    return draft


def _settle(history: JobHistory, client_factory: Callable[[], MonopondClient], ref: str) -> None:
    """Poll the broadcast, merging each answer, until the service has finished every fax."""
    deadline = time.monotonic() + 20
    with client_factory() as client:
        while time.monotonic() < deadline:
            request = FaxStatusRequest(broadcast_ref=ref, verbosity=Verbosity.RESULTS)
            answer = client.fax_status(request)
            history.merge(
                answer, account=client.username, endpoint=client.endpoint, selection=request
            )
            if not history.unfinished_work():
                return
            time.sleep(0.05)
    raise AssertionError("the sandbox did not finish the faxes in time")


@pytest.fixture
def sent(
    pipeline: SendPipeline,
    store: JobStore,
    client_factory: Callable[[], MonopondClient],
    write_pdf: Callable[..., Path],
) -> tuple[JobHistory, Draft, Path]:
    letter = write_pdf("referral.pdf", pages=2)
    draft = _draft(letter, [SENT, BUSY, NO_ANSWER, BLOCKED])
    assert pipeline.submit(build_send_job(draft, max_messages=2)).all_submitted
    history = JobHistory(store)
    _settle(history, client_factory, draft.broadcast_ref)
    return history, draft, letter


def test_the_failed_faxes_of_a_broadcast_go_again_as_a_new_send_of_it(
    sent: tuple[JobHistory, Draft, Path],
    pipeline: SendPipeline,
    store: JobStore,
    engine: KeepingEngine,
    client_factory: Callable[[], MonopondClient],
) -> None:
    history, draft, letter = sent
    (broadcast,) = history.snapshot().broadcasts
    failed = failed_messages(history, broadcast_id=broadcast.id)
    # Busy and no answer failed; the blocked number would be blocked again.
    assert sorted(m.send_to for m in failed) == [BUSY, NO_ANSWER]
    plan = plan_resend(store, history, broadcast_id=broadcast.id)
    assert plan.send_refs == [f"{draft.broadcast_ref}-S3"]
    assert plan.fax_count == 2
    report = submit_resend(pipeline, plan)
    assert report.all_submitted
    assert report.broadcast_id == broadcast.id

    snapshot = history.snapshot()
    assert [b.id for b in snapshot.broadcasts] == [broadcast.id]
    resend = snapshot.sends[-1]
    assert (resend.send_ref, resend.position, resend.state) == (
        f"{draft.broadcast_ref}-S3",
        3,
        SendState.SUBMITTED,
    )
    faxes = list(snapshot.messages_of(resend.id))
    assert [(m.message_ref, m.send_to, m.recipient_name) for m in faxes] == [
        (f"{draft.broadcast_ref}-S3-M1", BUSY, "Clinic 1"),
        (f"{draft.broadcast_ref}-S3-M2", NO_ANSWER, "Clinic 2"),
    ]
    # The service got the same document and settings under the same BroadcastRef.
    arrived = engine.requests[-1]
    assert (arrived.broadcast_ref, arrived.send_ref, arrived.retries) == (
        draft.broadcast_ref,
        resend.send_ref,
        1,
    )
    assert arrived.documents[0].file_data == letter.read_bytes()
    _settle(history, client_factory, draft.broadcast_ref)
    again = history.send_messages(resend.id)
    assert [(m.outcome, m.error) for m in again] == [
        (FaxResult.FAILED, FaxError.FAX_BUSY),
        (FaxResult.FAILED, FaxError.FAX_NO_ANSWER),
    ]


def test_a_send_with_nothing_failed_cannot_be_resent(
    sent: tuple[JobHistory, Draft, Path],
    pipeline: SendPipeline,
    store: JobStore,
    client_factory: Callable[[], MonopondClient],
) -> None:
    history, _, letter = sent
    first = history.snapshot().sends[0]  # the first send: the sent fax and the busy one
    assert [m.send_to for m in failed_messages(history, send_id=first.id)] == [BUSY]
    good = _draft(letter, [SENT])
    assert pipeline.submit(build_send_job(good)).all_submitted
    _settle(history, client_factory, good.broadcast_ref)
    newest = history.snapshot().sends[0]
    assert newest.send_ref == good.send_ref
    with pytest.raises(ResendError, match="nothing to send again"):
        plan_resend(store, history, send_id=newest.id)


def test_a_resend_whose_document_is_gone_says_which_file(
    sent: tuple[JobHistory, Draft, Path], store: JobStore
) -> None:
    history, _, letter = sent
    letter.unlink()
    with pytest.raises(ResendError) as refused:
        plan_resend(store, history, broadcast_id=history.snapshot().broadcasts[0].id)
    assert "referral.pdf" in refused.value.user_message
    assert "could not be read" in refused.value.user_message


def test_a_resend_is_refused_with_another_account_in_settings(
    sent: tuple[JobHistory, Draft, Path], store: JobStore, sandbox: SandboxServer
) -> None:
    history, _, _ = sent
    plan = plan_resend(store, history, broadcast_id=history.snapshot().broadcasts[0].id)
    other = SendPipeline(
        lambda: MonopondClient(sandbox.url, "receptionist", "front-desk-2026"), store
    )
    with pytest.raises(ResendError, match="Switch to that account"):
        submit_resend(other, plan)
    assert len(history.snapshot().sends) == 2


def test_a_sent_job_opens_as_a_new_draft_with_new_references(
    sent: tuple[JobHistory, Draft, Path], store: JobStore
) -> None:
    history, draft, letter = sent
    snapshot = history.snapshot()
    whole = draft_from_broadcast(store, snapshot.broadcasts[0].id)
    assert [r.normalised for r in whole.recipients] == [SENT, BUSY, NO_ANSWER, BLOCKED]
    assert whole.broadcast_ref != draft.broadcast_ref
    assert [d.path for d in whole.documents] == [letter]

    part = draft_from_send(store, snapshot.sends[1].key)
    assert [(r.normalised, r.name) for r in part.recipients] == [
        (NO_ANSWER, "Clinic 2"),
        (BLOCKED, "Clinic 3"),
    ]
    assert part.recipients[0].fax_number == "+61 5 0000 0003"
    assert part.options.retries == 1
    assert [(d.path, d.page_count) for d in part.documents] == [(letter, 2)]
    assert part.broadcast_ref != draft.broadcast_ref
    assert {r.message_ref for r in part.recipients}.isdisjoint(
        {r.message_ref for r in draft.recipients}
    )
