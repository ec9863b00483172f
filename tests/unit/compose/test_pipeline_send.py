"""Submitting through the pipeline to a real sandbox: recorded first, lost answers never resent."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faxgui.api import MonopondClient
from faxgui.api.enums import Verbosity
from faxgui.api.errors import AuthenticationError, NotConnectedError
from faxgui.api.models import (
    FaxDocument,
    FaxMessage,
    FaxStatusRequest,
    FaxStatusResponse,
    SendFaxRequest,
)
from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.pipeline import SendJob, SendPipeline
from faxgui.compose.requests import build_send_job
from faxgui.jobs.store import DuplicateSendRefError, JobStore, SendState
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import DropPoint, DropRule, SandboxServer

FAST = 1000.0


class RecordingEngine(SandboxEngine):
    """A sandbox engine that counts every SendFax reaching it, per SendRef."""

    def __init__(self) -> None:
        super().__init__(speed=FAST)
        self.arrivals: Counter[str] = Counter()
        self.during_send: Callable[[SendFaxRequest], None] = lambda request: None
        self._count_lock = threading.Lock()

    def send_fax(self, account: str, req: SendFaxRequest) -> FaxStatusResponse:
        with self._count_lock:
            self.arrivals[req.send_ref or ""] += 1
        answer = super().send_fax(account, req)
        self.during_send(req)
        return answer


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


@pytest.fixture
def sandbox(engine: RecordingEngine) -> Iterator[SandboxServer]:
    server = SandboxServer("127.0.0.1", 0, engine=engine)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    instance = JobStore(tmp_path / "jobs.sqlite3")
    yield instance
    instance.close()


def _factory(
    url: str, password: str = DEMO_PASSWORD, timeout: float = 10.0
) -> Callable[[], MonopondClient]:
    return lambda: MonopondClient(url, DEMO_USERNAME, password, timeout=timeout)


@pytest.fixture
def pipeline(sandbox: SandboxServer, store: JobStore) -> SendPipeline:
    return SendPipeline(_factory(sandbox.url), store)


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "referral.txt"
    path.write_text("Referral for J. Citizen\n")
    return path


@pytest.fixture
def make_job(letter: Path) -> Callable[..., SendJob]:
    def make(recipients: int = 3, max_messages: int = 600) -> SendJob:
        draft = Draft.new(datetime(2026, 11, 27, tzinfo=UTC))
        draft.add_document(letter)
        draft.add_recipients(
            Recipient(fax_number=f"0280039{i:03d}", normalised=f"6128003{i:04d}", name=f"GP {i}")
            for i in range(recipients)
        )
        return build_send_job(draft, max_messages=max_messages)

    return make


def _drop_first(point: DropPoint, operation: str = "SendFax") -> DropRule:
    return lambda op, n: point if (op, n) == (operation, 1) else None


def _faxes_at_service(sandbox: SandboxServer, broadcast_ref: str) -> list[str]:
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        answer = client.fax_status(
            FaxStatusRequest(broadcast_ref=broadcast_ref, verbosity=Verbosity.SEND)
        )
    return [m.message_ref or "" for m in answer.messages]


def test_a_fax_is_recorded_then_submitted_with_the_services_answer(
    pipeline: SendPipeline,
    store: JobStore,
    engine: RecordingEngine,
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(3)
    progress: list[tuple[int, int, str]] = []
    report = pipeline.submit(job, on_progress=lambda *p: progress.append(p))
    assert report.all_submitted
    (result,) = report.results
    assert result.response is not None
    assert len(result.response.messages) == 3
    (record,) = store.sends(broadcast_id=report.broadcast_id)
    assert (record.state, record.attempts, record.account) == (SendState.SUBMITTED, 1, "demo")
    assert all(m.status for m in store.messages(record.send_ref))
    assert [m.recipient_name for m in store.messages(record.send_ref)] == ["GP 0", "GP 1", "GP 2"]
    assert engine.arrivals == {record.send_ref: 1}
    assert progress == [(0, 1, "Sending the fax: 3 faxes"), (1, 1, "Done")]


def test_a_split_broadcast_goes_out_part_by_part_under_one_broadcast_ref(
    pipeline: SendPipeline,
    sandbox: SandboxServer,
    engine: RecordingEngine,
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(5, max_messages=2)
    progress: list[tuple[int, int, str]] = []
    report = pipeline.submit(job, on_progress=lambda *p: progress.append(p))
    assert report.submitted == job.send_refs
    assert list(engine.arrivals) == job.send_refs
    assert sorted(_faxes_at_service(sandbox, job.broadcast_ref)) == sorted(
        m.message_ref for r in job.requests for m in r.fax_messages
    )
    assert [p[:2] for p in progress] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert progress[1][2] == "Sending part 2 of 3: 2 faxes"


def test_an_answer_lost_after_the_service_accepted_is_never_sent_again(
    pipeline: SendPipeline,
    sandbox: SandboxServer,
    store: JobStore,
    engine: RecordingEngine,
    make_job: Callable[..., SendJob],
) -> None:
    sandbox.drop_connection = _drop_first(DropPoint.AFTER_ACCEPT)
    job = make_job(2)
    progress: list[str] = []
    report = pipeline.submit(job, on_progress=lambda done, total, text: progress.append(text))
    assert report.all_submitted
    assert engine.arrivals == {job.send_refs[0]: 1}
    assert store.require_send(job.send_refs[0]).attempts == 1
    assert "Checking whether the fax reached the fax service" in progress
    answer = report.results[0].response
    assert answer is not None
    assert len(answer.messages) == 2


def test_a_request_lost_before_it_arrived_is_sent_again_once(
    pipeline: SendPipeline,
    sandbox: SandboxServer,
    store: JobStore,
    engine: RecordingEngine,
    make_job: Callable[..., SendJob],
) -> None:
    sandbox.drop_connection = _drop_first(DropPoint.BEFORE_ACCEPT)
    job = make_job(2)
    assert pipeline.submit(job).all_submitted
    assert engine.arrivals == {job.send_refs[0]: 1}
    assert store.require_send(job.send_refs[0]).attempts == 2


def test_a_timeout_after_the_service_accepted_is_settled_by_asking_not_resending(
    sandbox: SandboxServer,
    store: JobStore,
    engine: RecordingEngine,
    make_job: Callable[..., SendJob],
) -> None:
    answered_once = threading.Event()

    def first_answer_late(request: SendFaxRequest) -> None:
        if not answered_once.is_set():
            answered_once.set()
            time.sleep(1.5)

    engine.during_send = first_answer_late
    pipeline = SendPipeline(_factory(sandbox.url, timeout=0.5), store)
    job = make_job(1)
    report = pipeline.submit(job)
    assert report.all_submitted
    assert engine.arrivals == {job.send_refs[0]: 1}


def test_a_service_fault_fails_the_request_says_what_to_fix_and_cancels_the_rest(
    pipeline: SendPipeline,
    store: JobStore,
    engine: RecordingEngine,
    letter: Path,
) -> None:
    draft = Draft.new()
    draft.add_saved_document("letterhead-gone")
    draft.add_recipients(
        Recipient(fax_number=str(i), normalised=f"6128003{i:04d}") for i in range(5)
    )
    job = build_send_job(draft, max_messages=2)
    report = pipeline.submit(job)
    (failed,) = report.failed
    assert failed.send_ref == job.send_refs[0]
    assert "Attach the file again" in failed.message
    assert "letterhead-gone" in failed.message
    assert report.cancelled == job.send_refs[1:]
    assert engine.arrivals == {job.send_refs[0]: 1}
    states = {s.send_ref: (s.state, s.last_error) for s in store.sends()}
    assert states[job.send_refs[0]] == (SendState.FAILED, failed.message)
    assert states[job.send_refs[2]][0] is SendState.CANCELLED
    assert "earlier part was refused" in (states[job.send_refs[2]][1] or "")


def test_an_unreachable_service_leaves_every_request_waiting_in_the_outbox(
    store: JobStore, make_job: Callable[..., SendJob]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pipeline = SendPipeline(_factory(f"http://127.0.0.1:{port}/fax/soap/v2.1"), store)
    job = make_job(3, max_messages=1)
    report = pipeline.submit(job)
    assert isinstance(report.stopped_by, NotConnectedError)
    assert report.waiting == job.send_refs
    records = store.sends()
    # The refused connection proves nothing went out, so no attempt is counted.
    assert [(r.state, r.attempts) for r in records] == [(SendState.OUTBOX, 0)] * 3
    assert (records[0].last_error or "").startswith("Not yet submitted: Could not reach")


def test_a_refused_password_keeps_the_faxes_waiting(
    sandbox: SandboxServer,
    store: JobStore,
    engine: RecordingEngine,
    make_job: Callable[..., SendJob],
) -> None:
    pipeline = SendPipeline(_factory(sandbox.url, password="wrong"), store)
    report = pipeline.submit(make_job(2))
    assert isinstance(report.stopped_by, AuthenticationError)
    assert report.waiting == [report.results[0].send_ref]
    assert "user name or password" in report.results[0].message
    assert not engine.arrivals


def test_cancel_stops_before_the_next_request_but_never_interrupts_one_on_the_wire(
    pipeline: SendPipeline,
    store: JobStore,
    engine: RecordingEngine,
    make_job: Callable[..., SendJob],
) -> None:
    cancel = threading.Event()
    # The user presses Cancel while the first part is being uploaded.
    engine.during_send = lambda request: cancel.set()
    job = make_job(3, max_messages=1)
    report = pipeline.submit(job, cancel=cancel)
    assert report.submitted == job.send_refs[:1]
    assert report.cancelled == job.send_refs[1:]
    assert list(engine.arrivals) == job.send_refs[:1]
    assert [s.state for s in store.sends()] == [
        SendState.SUBMITTED,
        SendState.CANCELLED,
        SendState.CANCELLED,
    ]


def test_a_send_ref_used_before_is_refused_before_anything_is_sent(
    pipeline: SendPipeline, engine: RecordingEngine, make_job: Callable[..., SendJob]
) -> None:
    job = make_job(1)
    pipeline.submit(job)
    with pytest.raises(DuplicateSendRefError):
        pipeline.submit(job)
    assert engine.arrivals == {job.send_refs[0]: 1}


def test_a_send_ref_the_service_gave_other_faxes_is_not_taken_for_ours(
    pipeline: SendPipeline,
    sandbox: SandboxServer,
    store: JobStore,
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(1)
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        client.send_fax(
            SendFaxRequest(
                [FaxMessage("someone-else-1", "61280039890")],
                send_ref=job.send_refs[0],
                documents=[FaxDocument("x.txt", b"other")],
            )
        )
    # Our first attempt is lost on the way, so the pipeline looks the SendRef up.
    sandbox.drop_connection = _drop_first(DropPoint.BEFORE_ACCEPT)
    report = pipeline.submit(job)
    (failed,) = report.failed
    assert "already has other faxes" in failed.message
    assert store.require_send(job.send_refs[0]).state is SendState.FAILED
