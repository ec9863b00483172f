"""Sending a draft: what the service receives, progress, cancel, refusals, faults."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from faxgui.api import MonopondClient
from faxgui.api.enums import Resolution, Verbosity
from faxgui.api.errors import NoMessagesFoundFault
from faxgui.api.models import FaxStatusRequest
from faxgui.compose.draft import Draft
from faxgui.compose.pipeline import SendReport
from faxgui.jobs.store import JobStore, SendState
from faxgui.sandbox.server import SandboxServer
from faxgui.ui.gui_gc import collection_paused
from faxgui.ui.send_controller import SendController

from .conftest import CountingEngine

SEND_TIMEOUT_MS = 60_000


class Recorder:
    """Every signal of a SendController, in the order it arrived, and on which thread."""

    def __init__(self, controller: SendController) -> None:
        self.events: list[tuple[str, Any]] = []
        self.threads: set[int] = set()
        for name in (
            "checking",
            "warnings_found",
            "started",
            "progress",
            "finished",
            "failed",
            "abandoned",
            "busy_changed",
        ):
            getattr(controller, name).connect(self._recorder(name))

    def _recorder(self, name: str) -> Callable[..., None]:
        def record(*args: Any) -> None:
            self.threads.add(threading.get_ident())
            self.events.append((name, args[0] if len(args) == 1 else args or None))

        return record

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def of(self, name: str) -> list[Any]:
        return [value for event, value in self.events if event == name]

    @property
    def ended(self) -> bool:
        return any(n in ("finished", "failed", "abandoned") for n in self.names())

    def report(self) -> SendReport:
        (report,) = self.of("finished")
        assert isinstance(report, SendReport)
        return report


def _send(qtbot: QtBot, controller: SendController, draft: Draft) -> Recorder:
    recorder = Recorder(controller)
    assert controller.send(draft)
    qtbot.waitUntil(lambda: recorder.ended, timeout=SEND_TIMEOUT_MS)
    return recorder


def test_a_three_recipient_fax_reaches_the_service_as_composed(
    qtbot: QtBot,
    sandbox: SandboxServer,
    controller: SendController,
    client: MonopondClient,
    store: JobStore,
    make_draft: Callable[..., Draft],
) -> None:
    draft = make_draft(3)
    draft.options.send_from = "Harbour Medical"
    draft.options.resolution = Resolution.FINE
    draft.options.retries = 2
    draft.options.busy_retries = 4
    draft.options.header_format = "From %from%|Page header"
    draft.recipients[1].overrides.send_from = "Harbour Medical Lab"
    composed = draft.dumps()

    recorder = _send(qtbot, controller, draft)

    assert recorder.of("failed") == []
    report = recorder.report()
    assert report.all_submitted
    assert report.submitted == [draft.send_ref]
    answer = client.fax_status(
        FaxStatusRequest(send_ref=draft.send_ref, verbosity=Verbosity.DETAILS)
    )
    received = {m.message_ref: m for m in answer.messages}
    assert set(received) == {r.message_ref for r in draft.recipients}
    for recipient in draft.recipients:
        fax = received[recipient.message_ref]
        assert fax.send_to == recipient.normalised
        assert fax.send_ref == draft.send_ref
        assert fax.broadcast_ref == draft.broadcast_ref
        assert fax.details is not None
        assert fax.details.resolution is Resolution.FINE
        assert fax.details.retries == 2
        assert fax.details.busy_retries == 4
        assert fax.details.header_format == "From %from%|Page header"
    assert received[draft.recipients[0].message_ref].details.send_from == "Harbour Medical"
    assert received[draft.recipients[1].message_ref].details.send_from == "Harbour Medical Lab"
    # The job store agrees, and the composer's draft was left exactly as it was.
    assert [s.state for s in store.sends()] == [SendState.SUBMITTED]
    assert [m.recipient_name for m in store.messages(draft.send_ref)] == [
        "Clinic 1",
        "Clinic 2",
        "Clinic 3",
    ]
    assert draft.dumps() == composed


def test_signals_come_in_order_on_the_gui_thread(
    qtbot: QtBot,
    sandbox: SandboxServer,
    controller: SendController,
    make_draft: Callable[..., Draft],
) -> None:
    draft = make_draft(1300)

    recorder = _send(qtbot, controller, draft)

    assert recorder.threads == {threading.get_ident()}
    names = recorder.names()
    assert names[:3] == ["busy_changed", "checking", "started"]
    assert names[-2:] == ["busy_changed", "finished"]
    assert set(names[3:-2]) == {"progress"}
    assert recorder.of("busy_changed") == [True, False]
    assert recorder.of("started") == [3]
    progress = recorder.of("progress")
    done = [p[0] for p in progress]
    assert done == sorted(done)
    assert progress[-1] == (3, 3, "Done")
    sending = [p[2] for p in progress if p[2].startswith("Sending")]
    assert sending == [
        "Sending part 1 of 3: 600 faxes",
        "Sending part 2 of 3: 600 faxes",
        "Sending part 3 of 3: 100 faxes",
    ]
    assert recorder.report().all_submitted
    assert list(controller.fax_counts.values()) == [600, 600, 100]


def test_cancel_between_parts_leaves_the_untried_parts_cancelled(
    qtbot: QtBot,
    sandbox: SandboxServer,
    engine: CountingEngine,
    controller: SendController,
    client: MonopondClient,
    store: JobStore,
    make_draft: Callable[..., Draft],
) -> None:
    draft = make_draft(1300)
    recorder = Recorder(controller)
    engine.hold()
    assert controller.send(draft)
    qtbot.waitUntil(engine.arrived.is_set, timeout=SEND_TIMEOUT_MS)

    # Part 1 is on the wire: cancelling must not interrupt it, only stop what follows.
    controller.cancel()
    assert controller.cancelling
    engine.release()
    qtbot.waitUntil(lambda: recorder.ended, timeout=SEND_TIMEOUT_MS)

    report = recorder.report()
    first, *rest = (s.send_ref for s in store.sends())
    assert report.submitted == [first]
    assert report.cancelled == rest
    assert len(rest) == 2
    assert {s.send_ref: s.state for s in store.sends()} == {
        first: SendState.SUBMITTED,
        **dict.fromkeys(rest, SendState.CANCELLED),
    }
    assert len(client.fax_status(FaxStatusRequest(send_ref=first)).messages) == 0
    for ref in rest:
        with pytest.raises(NoMessagesFoundFault):
            client.fax_status(FaxStatusRequest(send_ref=ref))
    assert dict(engine.arrivals) == {first: 1}


def test_a_second_send_while_one_runs_is_refused_and_a_sent_draft_is_not_sent_again(
    qtbot: QtBot,
    sandbox: SandboxServer,
    engine: CountingEngine,
    controller: SendController,
    store: JobStore,
    make_draft: Callable[..., Draft],
) -> None:
    draft = make_draft(2)
    other = make_draft(2)
    recorder = Recorder(controller)
    engine.hold()
    assert controller.send(draft)
    qtbot.waitUntil(engine.arrived.is_set, timeout=SEND_TIMEOUT_MS)

    assert controller.send(draft) is False
    assert controller.send(other) is False
    engine.release()
    qtbot.waitUntil(lambda: recorder.ended, timeout=SEND_TIMEOUT_MS)
    assert recorder.of("started") == [1]
    assert recorder.report().submitted == [draft.send_ref]

    # Pressing Send again on the same draft afterwards is refused as well, with a reason.
    again = _send(qtbot, controller, draft)
    (message,) = again.of("failed")
    assert "sent already" in message
    assert draft.send_ref in message
    assert dict(engine.arrivals) == {draft.send_ref: 1}
    assert len(store.broadcasts()) == 1


def test_a_service_fault_comes_back_as_a_sentence_and_nothing_is_marked_submitted(
    qtbot: QtBot,
    sandbox: SandboxServer,
    controller: SendController,
    store: JobStore,
    tmp_path: Path,
    make_draft: Callable[..., Draft],
) -> None:
    odd = tmp_path / "scan.xyz"
    odd.write_bytes(b"not a document the service knows")
    draft = make_draft(2, odd)
    composed = draft.dumps()

    recorder = _send(qtbot, controller, draft)

    report = recorder.report()
    assert report.submitted == []
    (failure,) = report.failed
    assert failure.message.startswith("The fax service cannot tell what kind of file this is.")
    assert "scan.xyz" in failure.message
    assert [s.state for s in store.sends()] == [SendState.FAILED]
    assert store.sends()[0].last_error == failure.message
    assert draft.dumps() == composed


def test_a_draft_that_cannot_be_built_is_refused_with_what_to_fix(
    qtbot: QtBot,
    sandbox: SandboxServer,
    controller: SendController,
    store: JobStore,
    tmp_path: Path,
    make_draft: Callable[..., Draft],
) -> None:
    empty = Draft.new()
    assert _send(qtbot, controller, empty).of("failed") == ["Add at least one recipient."]

    gone = tmp_path / "moved.pdf"
    gone.write_bytes(b"%PDF-1.4\n")
    draft = make_draft(1, gone)
    gone.unlink()
    (message,) = _send(qtbot, controller, draft).of("failed")
    assert "moved.pdf" in message
    assert "no longer there" in message
    assert store.broadcasts() == []


def test_an_unreachable_service_leaves_the_fax_waiting_in_the_outbox(
    qtbot: QtBot,
    controller: SendController,
    store: JobStore,
    make_draft: Callable[..., Draft],
) -> None:
    draft = make_draft(3)

    recorder = _send(qtbot, controller, draft)

    report = recorder.report()
    assert report.waiting == [draft.send_ref]
    assert report.stopped_by is not None
    assert [s.state for s in store.sends()] == [SendState.OUTBOX]
    assert store.sends()[0].last_error is not None
    assert store.sends()[0].last_error.startswith("Not yet submitted")


def test_same_document_to_the_same_number_warns_before_anything_is_sent(
    qtbot: QtBot,
    sandbox: SandboxServer,
    engine: CountingEngine,
    controller: SendController,
    store: JobStore,
    tmp_path: Path,
    letter: Path,
    make_draft: Callable[..., Draft],
) -> None:
    first = make_draft(2)
    assert _send(qtbot, controller, first).report().all_submitted

    # The same letter, saved again under another name, to one of the same clinics.
    copy = tmp_path / "referral (copy).txt"
    copy.write_bytes(letter.read_bytes())
    again = make_draft(1, copy)
    recorder = Recorder(controller)
    assert controller.send(again)
    qtbot.waitUntil(lambda: bool(recorder.of("warnings_found")), timeout=SEND_TIMEOUT_MS)

    (warnings,) = recorder.of("warnings_found")
    assert len(warnings) == 1
    assert "referral (copy).txt already went to Clinic 1 (+61 2 8000 0000)" in warnings[0]
    assert "minute" in warnings[0]
    assert controller.awaiting_confirmation
    assert len(store.broadcasts()) == 1

    # "Cancel" at the warning: nothing is recorded or sent.
    controller.cancel()
    assert recorder.names()[-1] == "abandoned"
    assert not controller.busy
    assert len(store.broadcasts()) == 1

    # "Send anyway" sends it.
    recorder = Recorder(controller)
    assert controller.send(again)
    qtbot.waitUntil(controller.confirm, timeout=SEND_TIMEOUT_MS)
    qtbot.waitUntil(lambda: recorder.ended, timeout=SEND_TIMEOUT_MS)
    assert recorder.report().submitted == [again.send_ref]
    assert engine.arrivals[again.send_ref] == 1


def test_a_document_over_the_page_limit_warns(
    qtbot: QtBot,
    sandbox: SandboxServer,
    controller: SendController,
    store: JobStore,
    write_pdf: Callable[..., Path],
    make_draft: Callable[..., Draft],
) -> None:
    draft = make_draft(2, write_pdf("results.pdf", pages=3))
    draft.options.max_fax_pages = 2
    recorder = Recorder(controller)
    assert controller.send(draft)
    qtbot.waitUntil(lambda: bool(recorder.of("warnings_found")), timeout=SEND_TIMEOUT_MS)

    (warnings,) = recorder.of("warnings_found")
    assert warnings == [
        "The documents make 3 pages, more than the limit of 2 pages per fax; the service "
        "will refuse to send it. Raise the page limit or send fewer pages."
    ]
    assert store.broadcasts() == []
    controller.cancel()


def test_garbage_collection_waits_while_a_send_runs_and_resumes_after_it(
    qtbot: QtBot,
    sandbox: SandboxServer,
    engine: CountingEngine,
    controller: SendController,
    make_draft: Callable[..., Draft],
) -> None:
    assert not collection_paused()
    engine.hold()
    recorder = Recorder(controller)
    controller.send(make_draft(2))
    qtbot.waitUntil(engine.arrived.is_set, timeout=SEND_TIMEOUT_MS)
    assert collection_paused()
    engine.release()
    qtbot.waitUntil(lambda: recorder.ended, timeout=SEND_TIMEOUT_MS)
    assert not collection_paused()

    # Waiting for the user's answer to a warning holds nothing; a refused draft neither.
    recorder = Recorder(controller)
    controller.send(make_draft(2))
    qtbot.waitUntil(lambda: bool(recorder.of("warnings_found")), timeout=SEND_TIMEOUT_MS)
    assert not collection_paused()
    controller.cancel()
    assert _send(qtbot, controller, Draft.new()).of("failed")
    assert not collection_paused()
