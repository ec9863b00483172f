"""The outbox: faxes wait while the service is away, go out once it returns, survive restarts."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from faxgui.api import MonopondClient
from faxgui.api.models import FaxStatusResponse, SendFaxRequest
from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.outbox import cancel_waiting, retry_outbox, waiting_sends
from faxgui.compose.pipeline import SendInProgressError, SendJob, SendPipeline
from faxgui.compose.requests import build_send_job
from faxgui.jobs.request_json import request_summary, request_to_json
from faxgui.jobs.store import JobStore, NewMessage, NewSend, SendState
from faxgui.sandbox.accounts import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    RECEPTIONIST_PASSWORD,
    RECEPTIONIST_USERNAME,
)
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import SandboxServer


class RecordingEngine(SandboxEngine):
    """A sandbox engine that counts every SendFax reaching it, per SendRef."""

    def __init__(self) -> None:
        super().__init__(speed=1000.0)
        self.arrivals: Counter[str] = Counter()

    def send_fax(self, account: str, req: SendFaxRequest) -> FaxStatusResponse:
        self.arrivals[req.send_ref or ""] += 1
        return super().send_fax(account, req)


@pytest.fixture
def port() -> int:
    """A loopback port where nothing listens until a test starts the sandbox on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free: int = probe.getsockname()[1]
    return free


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


@pytest.fixture
def start_sandbox(port: int, engine: RecordingEngine) -> Iterator[Callable[[], SandboxServer]]:
    """start_sandbox(): the service 'comes back' on `port`."""
    servers: list[SandboxServer] = []

    def start() -> SandboxServer:
        server = SandboxServer("127.0.0.1", port, engine=engine)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def url(port: int) -> str:
    return f"http://127.0.0.1:{port}/fax/soap/v2.1"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    instance = JobStore(tmp_path / "jobs.sqlite3")
    yield instance
    instance.close()


def _factory(
    url: str, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD
) -> Callable[[], MonopondClient]:
    return lambda: MonopondClient(url, username, password, timeout=10.0)


@pytest.fixture
def pipeline(url: str, store: JobStore) -> SendPipeline:
    return SendPipeline(_factory(url), store)


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "referral.txt"
    path.write_text("Referral for J. Citizen\n")
    return path


@pytest.fixture
def make_job(letter: Path) -> Callable[..., SendJob]:
    def make(recipients: int = 3, max_messages: int = 600) -> SendJob:
        draft = Draft.new()
        draft.add_document(letter)
        draft.add_recipients(
            Recipient(fax_number=str(i), normalised=f"6128003{i:04d}", name=f"GP {i}")
            for i in range(recipients)
        )
        return build_send_job(draft, max_messages=max_messages)

    return make


def _record_as_crashed(store: JobStore, job: SendJob, endpoint: str) -> None:
    """What the store holds when the app died while the job's only request was on the wire."""
    (request,) = job.requests
    store.add_broadcast(
        job.broadcast_ref,
        account=DEMO_USERNAME,
        endpoint=endpoint,
        sends=[
            NewSend(
                request.send_ref or "",
                request_summary(request),
                request_to_json(request, job.files.path_of),
                [NewMessage(m.message_ref, m.send_to) for m in request.fax_messages],
            )
        ],
    )
    store.mark_submitting(request.send_ref or "")


def test_faxes_waiting_while_offline_go_out_once_when_the_service_returns(
    pipeline: SendPipeline,
    store: JobStore,
    engine: RecordingEngine,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(4, max_messages=2)
    assert pipeline.submit(job).waiting == job.send_refs
    assert [r.send_ref for r in waiting_sends(store)] == job.send_refs

    start_sandbox()
    progress: list[tuple[int, int, str]] = []
    report = retry_outbox(pipeline, on_progress=lambda *p: progress.append(p))
    assert report.submitted == job.send_refs
    assert engine.arrivals == dict.fromkeys(job.send_refs, 1)
    assert waiting_sends(store) == []
    assert [s.state for s in store.sends()] == [SendState.SUBMITTED] * 2
    # Offline, no connection ever opened, so nothing can have arrived: no look-up needed,
    # and the tries were given back.
    assert not any(text.startswith("Checking whether") for _, _, text in progress)
    assert [s.attempts for s in store.sends()] == [1, 1]


def test_a_fax_that_never_left_can_be_cancelled_while_offline(
    pipeline: SendPipeline,
    store: JobStore,
    engine: RecordingEngine,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(2)
    assert pipeline.submit(job).waiting == job.send_refs
    (waiting,) = waiting_sends(store)
    assert waiting.attempts == 0

    cancelled = cancel_waiting(pipeline, waiting.send_ref)
    assert cancelled.state is SendState.CANCELLED
    start_sandbox()
    assert retry_outbox(pipeline).results == ()
    assert engine.arrivals == {}


def test_an_empty_outbox_asks_for_no_client(store: JobStore) -> None:
    def no_client() -> MonopondClient:
        raise AssertionError("no client needed")

    report = retry_outbox(SendPipeline(no_client, store))
    assert report.results == ()


def test_a_request_on_the_wire_when_the_app_died_is_looked_up_not_resent(
    tmp_path: Path,
    url: str,
    engine: RecordingEngine,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    path = tmp_path / "jobs.sqlite3"
    job = make_job(2)
    start_sandbox()
    with JobStore(path) as before_crash:
        _record_as_crashed(before_crash, job, url)
        with MonopondClient(url, DEMO_USERNAME, DEMO_PASSWORD) as client:
            client.send_fax(job.requests[0])

    with JobStore(path) as after_restart:
        report = retry_outbox(SendPipeline(_factory(url), after_restart))
        assert report.submitted == job.send_refs
        record = after_restart.require_send(job.send_refs[0])
        assert (record.state, record.attempts) == (SendState.SUBMITTED, 1)
    assert engine.arrivals == {job.send_refs[0]: 1}


def test_a_request_that_never_left_before_the_crash_is_sent_once(
    tmp_path: Path,
    url: str,
    engine: RecordingEngine,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    path = tmp_path / "jobs.sqlite3"
    job = make_job(2)
    with JobStore(path) as before_crash:
        _record_as_crashed(before_crash, job, url)

    start_sandbox()
    with JobStore(path) as after_restart:
        report = retry_outbox(SendPipeline(_factory(url), after_restart))
        assert report.submitted == job.send_refs
        assert after_restart.require_send(job.send_refs[0]).attempts == 2
    assert engine.arrivals == {job.send_refs[0]: 1}


def test_a_file_gone_before_the_retry_fails_that_fax_naming_the_file(
    pipeline: SendPipeline,
    store: JobStore,
    engine: RecordingEngine,
    letter: Path,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(1)
    pipeline.submit(job)
    letter.unlink()
    start_sandbox()
    report = retry_outbox(pipeline)
    (failed,) = report.failed
    assert "referral.txt" in failed.message
    assert str(letter) in failed.message
    assert store.require_send(job.send_refs[0]).last_error == failed.message
    assert not engine.arrivals


def test_another_accounts_faxes_stay_in_the_outbox(
    url: str,
    pipeline: SendPipeline,
    store: JobStore,
    engine: RecordingEngine,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(1)
    pipeline.submit(job)
    start_sandbox()
    other = SendPipeline(_factory(url, RECEPTIONIST_USERNAME, RECEPTIONIST_PASSWORD), store)
    assert retry_outbox(other).results == ()
    assert [r.send_ref for r in waiting_sends(store)] == job.send_refs
    assert not engine.arrivals


def test_stopping_a_retry_pass_cancels_nothing(
    pipeline: SendPipeline,
    store: JobStore,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(3, max_messages=1)
    pipeline.submit(job)
    start_sandbox()
    stop = threading.Event()

    def stop_after_first(done: int, total: int, message: str) -> None:
        if done == 1:
            stop.set()

    report = retry_outbox(pipeline, on_progress=stop_after_first, stop=stop)
    assert report.submitted == job.send_refs[:1]
    assert report.waiting == job.send_refs[1:]
    assert [r.send_ref for r in waiting_sends(store)] == job.send_refs[1:]


def test_a_retry_pass_leaves_alone_what_another_pass_is_sending(
    pipeline: SendPipeline,
    store: JobStore,
    engine: RecordingEngine,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(1)
    pipeline.submit(job)
    start_sandbox()
    with pipeline.claim(job.send_refs):
        assert retry_outbox(pipeline).results == ()
        with pytest.raises(SendInProgressError):
            cancel_waiting(pipeline, job.send_refs[0])
    assert not engine.arrivals


def test_cancelling_waiting_faxes_that_never_reached_the_service(
    pipeline: SendPipeline,
    store: JobStore,
    engine: RecordingEngine,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(2, max_messages=1)
    pipeline.submit(job)
    tried, untried = job.send_refs
    # Never tried: cancelled on the spot, with no need for the service.
    assert cancel_waiting(pipeline, untried).state is SendState.CANCELLED
    # Tried while offline: the service is asked first, and has no record of it.
    start_sandbox()
    assert cancel_waiting(pipeline, tried).state is SendState.CANCELLED
    assert retry_outbox(pipeline).results == ()
    assert not engine.arrivals


def test_cancelling_a_fax_that_reached_the_service_after_all_records_it_as_submitted(
    url: str,
    store: JobStore,
    pipeline: SendPipeline,
    engine: RecordingEngine,
    start_sandbox: Callable[[], SandboxServer],
    make_job: Callable[..., SendJob],
) -> None:
    job = make_job(1)
    start_sandbox()
    _record_as_crashed(store, job, url)
    with MonopondClient(url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        client.send_fax(job.requests[0])
    record = cancel_waiting(pipeline, job.send_refs[0])
    assert record.state is SendState.SUBMITTED
    assert engine.arrivals == {job.send_refs[0]: 1}
