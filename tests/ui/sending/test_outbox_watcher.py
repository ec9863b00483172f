"""The outbox watcher: waiting faxes go out once the service is back, once each, crash or not."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from faxgui.api import MonopondClient
from faxgui.api.enums import Verbosity
from faxgui.api.models import FaxStatusRequest
from faxgui.compose.draft import Draft
from faxgui.compose.pipeline import SendPipeline
from faxgui.compose.requests import build_send_job
from faxgui.jobs.request_json import request_summary, request_to_json
from faxgui.jobs.store import JobStore, NewMessage, NewSend, SendState
from faxgui.sandbox.accounts import DEMO_USERNAME
from faxgui.sandbox.server import SandboxServer
from faxgui.ui.outbox_watcher import OutboxPass, OutboxWatcher
from faxgui.ui.send_controller import SendController

from .conftest import CountingEngine

TIMEOUT_MS = 60_000


@pytest.fixture
def make_watcher(qtbot: QtBot) -> Iterator[Callable[..., OutboxWatcher]]:
    """make_watcher(pipeline, interval_ms=100, max_interval_ms=400): stopped after the test."""
    made: list[OutboxWatcher] = []

    def make(
        pipeline: SendPipeline, interval_ms: int = 100, max_interval_ms: int = 400
    ) -> OutboxWatcher:
        watcher = OutboxWatcher(pipeline, interval_ms=interval_ms, max_interval_ms=max_interval_ms)
        made.append(watcher)
        return watcher

    yield make
    for watcher in made:
        watcher.stop()
        qtbot.waitUntil(lambda w=watcher: not w.running, timeout=TIMEOUT_MS)


def test_a_fax_waiting_for_the_service_goes_out_once_when_it_appears(
    qtbot: QtBot,
    controller: SendController,
    engine: CountingEngine,
    start_sandbox: Callable[[], SandboxServer],
    client_factory: Callable[[], MonopondClient],
    store: JobStore,
    make_draft: Callable[..., Draft],
    make_watcher: Callable[..., OutboxWatcher],
) -> None:
    draft = make_draft(1300)
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT_MS) as sent:
        assert controller.send(draft)
    assert len(sent.args[0].waiting) == 3
    assert {s.state for s in store.sends()} == {SendState.OUTBOX}

    watcher = make_watcher(controller.pipeline)
    counts: list[int] = []
    watcher.waiting_changed.connect(counts.append)
    watcher.start()
    qtbot.waitUntil(lambda: counts == [1300], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: watcher.interval_ms > 100, timeout=TIMEOUT_MS)

    start_sandbox()
    qtbot.waitUntil(lambda: counts[-1] == 0, timeout=TIMEOUT_MS)

    refs = [s.send_ref for s in store.sends()]
    assert {s.state for s in store.sends()} == {SendState.SUBMITTED}
    assert dict(engine.arrivals) == dict.fromkeys(refs, 1)
    with client_factory() as client:
        answer = client.fax_status(
            FaxStatusRequest(broadcast_ref=draft.broadcast_ref, verbosity=Verbosity.SEND)
        )
    assert sorted(m.message_ref for m in answer.messages) == sorted(
        r.message_ref for r in draft.recipients
    )
    assert watcher.interval_ms == 100


def test_waiting_faxes_survive_closing_the_app(
    qtbot: QtBot,
    tmp_path: Path,
    engine: CountingEngine,
    start_sandbox: Callable[[], SandboxServer],
    client_factory: Callable[[], MonopondClient],
    make_draft: Callable[..., Draft],
    make_watcher: Callable[..., OutboxWatcher],
) -> None:
    path = tmp_path / "history.sqlite3"
    draft = make_draft(2)
    with JobStore(path) as store:
        before = SendController(store, client_factory)
        with qtbot.waitSignal(before.finished, timeout=TIMEOUT_MS):
            before.send(draft)
        assert [s.state for s in store.sends()] == [SendState.OUTBOX]

    start_sandbox()
    with JobStore(path) as store:
        after = SendController(store, client_factory)
        watcher = make_watcher(after.pipeline)
        with qtbot.waitSignal(watcher.pass_finished, timeout=TIMEOUT_MS) as passed:
            watcher.start()
        outcome: OutboxPass = passed.args[0]
        assert outcome.report is not None
        assert outcome.report.submitted == [draft.send_ref]
        assert outcome.waiting == 0
        watcher.stop()
        qtbot.waitUntil(lambda: not watcher.running, timeout=TIMEOUT_MS)
    assert dict(engine.arrivals) == {draft.send_ref: 1}


def _record_as_crashed(store: JobStore, draft: Draft, url: str) -> str:
    """What the store holds when the app was killed with the draft's request on the wire."""
    job = build_send_job(draft)
    (request,) = job.requests
    store.add_broadcast(
        job.broadcast_ref,
        account=DEMO_USERNAME,
        endpoint=url,
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
    return request.send_ref or ""


def test_at_start_up_sends_left_submitting_by_a_crash_are_settled_without_doubles(
    qtbot: QtBot,
    sandbox: SandboxServer,
    engine: CountingEngine,
    controller: SendController,
    client: MonopondClient,
    store: JobStore,
    url: str,
    make_draft: Callable[..., Draft],
    make_watcher: Callable[..., OutboxWatcher],
) -> None:
    arrived, lost = make_draft(2), make_draft(3)
    arrived_ref = _record_as_crashed(store, arrived, url)
    lost_ref = _record_as_crashed(store, lost, url)
    # The first one reached the service before the crash; the second did not.
    client.send_fax(build_send_job(arrived).requests[0])

    watcher = make_watcher(controller.pipeline)
    with qtbot.waitSignal(watcher.pass_finished, timeout=TIMEOUT_MS) as passed:
        watcher.start()

    outcome: OutboxPass = passed.args[0]
    assert outcome.report is not None
    assert sorted(outcome.report.submitted) == sorted([arrived_ref, lost_ref])
    assert dict(engine.arrivals) == {arrived_ref: 1, lost_ref: 1}
    assert {s.state for s in store.sends()} == {SendState.SUBMITTED}


def test_never_two_passes_at_once_and_retry_now_runs_one_more_after(
    qtbot: QtBot,
    sandbox: SandboxServer,
    engine: CountingEngine,
    controller: SendController,
    store: JobStore,
    url: str,
    make_draft: Callable[..., Draft],
    make_watcher: Callable[..., OutboxWatcher],
) -> None:
    first = _record_as_crashed(store, make_draft(1), url)
    store.mark_waiting(first, "Not yet submitted: test")
    watcher = make_watcher(controller.pipeline, interval_ms=60_000, max_interval_ms=60_000)
    passes: list[OutboxPass] = []
    watcher.pass_finished.connect(passes.append)
    engine.hold()
    watcher.start()
    qtbot.waitUntil(engine.arrived.is_set, timeout=TIMEOUT_MS)

    second = _record_as_crashed(store, make_draft(1), url)
    store.mark_waiting(second, "Not yet submitted: test")
    for _ in range(5):
        watcher.retry_now()
    assert watcher.running
    engine.release()
    qtbot.waitUntil(lambda: len(passes) == 2, timeout=TIMEOUT_MS)
    qtbot.wait(300)

    assert len(passes) == 2
    assert passes[0].report is not None
    assert passes[0].report.submitted == [first]
    assert passes[1].report is not None
    assert passes[1].report.submitted == [second]
    assert dict(engine.arrivals) == {first: 1, second: 1}


def test_the_watcher_backs_off_while_the_service_cannot_be_reached(
    qtbot: QtBot,
    controller: SendController,
    store: JobStore,
    url: str,
    make_draft: Callable[..., Draft],
    make_watcher: Callable[..., OutboxWatcher],
) -> None:
    _record_as_crashed(store, make_draft(1), url)
    watcher = make_watcher(controller.pipeline, interval_ms=50, max_interval_ms=200)
    passes: list[OutboxPass] = []
    watcher.pass_finished.connect(passes.append)
    intervals: list[int] = []
    watcher.pass_finished.connect(lambda _: intervals.append(watcher.interval_ms))
    watcher.start()
    qtbot.waitUntil(lambda: len(passes) >= 4, timeout=TIMEOUT_MS)

    assert intervals[:4] == [100, 200, 200, 200]
    assert not passes[0].reached_service
    assert watcher.waiting == 1
    assert [s.state for s in store.sends()] == [SendState.OUTBOX]
