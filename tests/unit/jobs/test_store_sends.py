"""Sends move through their states in the store, safely from many threads and across crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.api.models import FaxAttempt, FaxMessageStatus
from faxgui.jobs.store import (
    DuplicateSendRefError,
    JobStore,
    JobStoreError,
    NewMessage,
    NewSend,
    SendState,
    SendStateError,
    UnknownSendError,
)


def _send(ref: str, recipients: int = 2) -> NewSend:
    return NewSend(
        send_ref=ref,
        summary={"messages": recipients, "documents": [{"name": "letter.pdf", "pages": 2}]},
        request_json='{"format": 1}',
        messages=[
            NewMessage(f"{ref}-M{i}", f"6128003989{i}", f"Clinic {i}")
            for i in range(1, recipients + 1)
        ],
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    instance = JobStore(tmp_path / "jobs.sqlite3")
    yield instance
    instance.close()


def test_a_new_broadcast_waits_in_the_outbox_with_its_recipients(store: JobStore) -> None:
    broadcast = store.add_broadcast(
        "FG-1",
        account="demo",
        endpoint="http://127.0.0.1/fax",
        sends=[_send("FG-1-S1"), _send("FG-1-S2", 1)],
        draft_json='{"version": 1}',
    )
    sends = store.sends(broadcast_id=broadcast.id)
    assert [(s.send_ref, s.position, s.state, s.attempts) for s in sends] == [
        ("FG-1-S1", 1, SendState.OUTBOX, 0),
        ("FG-1-S2", 2, SendState.OUTBOX, 0),
    ]
    assert sends[0].summary["documents"] == [{"name": "letter.pdf", "pages": 2}]
    assert sends[0].account == "demo"
    assert sends[0].state.description == "Not yet submitted"
    assert [(m.message_ref, m.recipient_name) for m in store.messages("FG-1-S1")] == [
        ("FG-1-S1-M1", "Clinic 1"),
        ("FG-1-S1-M2", "Clinic 2"),
    ]
    assert store.broadcast(broadcast.id) == broadcast
    assert store.broadcasts()[0].draft_json == '{"version": 1}'
    assert store.request_json("FG-1-S1") == '{"format": 1}'


def test_a_submitted_send_keeps_the_services_first_status_per_message(store: JobStore) -> None:
    store.add_broadcast("FG-1", account="demo", endpoint="e", sends=[_send("FG-1-S1")])
    submitting = store.mark_submitting("FG-1-S1")
    assert (submitting.state, submitting.attempts) == (SendState.SUBMITTING, 1)
    answer = [
        FaxMessageStatus(message_ref="FG-1-S1-M1", status=FaxStatus.PENDING),
        FaxMessageStatus(
            message_ref="FG-1-S1-M2",
            status=FaxStatus.DONE,
            results=[FaxAttempt(1, FaxResult.FAILED, FaxError.FAX_BUSY)],
        ),
    ]
    done = store.mark_submitted("FG-1-S1", answer)
    assert done.state is SendState.SUBMITTED
    assert done.submitted is not None
    assert done.last_error is None
    rows = store.messages("FG-1-S1")
    assert [(m.status, m.result, m.error) for m in rows] == [
        ("pending", None, None),
        ("done", "failed", "FAX_BUSY"),
    ]


def test_finished_sends_cannot_change_state(store: JobStore) -> None:
    store.add_broadcast("FG-1", account="demo", endpoint="e", sends=[_send("FG-1-S1")])
    store.mark_submitting("FG-1-S1")
    store.mark_submitted("FG-1-S1", [])
    with pytest.raises(SendStateError, match="is submitted"):
        store.mark_waiting("FG-1-S1", "no connection")
    with pytest.raises(SendStateError):
        store.mark_submitting("FG-1-S1")
    with pytest.raises(SendStateError):
        store.mark_cancelled("FG-1-S1", "user")
    with pytest.raises(UnknownSendError):
        store.mark_failed("nope", "x")


def test_waiting_failed_and_cancelled_keep_their_reason(store: JobStore) -> None:
    sends = [_send("FG-1-S1"), _send("FG-1-S2"), _send("FG-1-S3")]
    store.add_broadcast("FG-1", account="demo", endpoint="e", sends=sends)
    store.mark_submitting("FG-1-S1")
    assert store.mark_waiting("FG-1-S1", "Not yet submitted: offline").last_error == (
        "Not yet submitted: offline"
    )
    assert store.mark_failed("FG-1-S2", "Unreadable PDF").state is SendState.FAILED
    assert store.mark_cancelled("FG-1-S3", "By the user").last_error == "By the user"
    waiting = store.sends(states=[SendState.OUTBOX, SendState.SUBMITTING])
    assert [s.send_ref for s in waiting] == ["FG-1-S1"]
    assert waiting[0].attempts == 1


def test_a_used_send_ref_is_refused_and_nothing_of_the_broadcast_is_recorded(
    store: JobStore,
) -> None:
    store.add_broadcast("FG-1", account="demo", endpoint="e", sends=[_send("FG-1-S1")])
    with pytest.raises(DuplicateSendRefError, match="FG-1-S1"):
        store.add_broadcast(
            "FG-2", account="demo", endpoint="e", sends=[_send("FG-2-S1"), _send("FG-1-S1")]
        )
    assert [b.broadcast_ref for b in store.broadcasts()] == ["FG-1"]
    assert store.send("FG-2-S1") is None


def test_statuses_polled_later_update_the_messages(store: JobStore) -> None:
    store.add_broadcast("FG-1", account="demo", endpoint="e", sends=[_send("FG-1-S1")])
    changed = store.record_statuses(
        [
            FaxMessageStatus(
                message_ref="FG-1-S1-M2",
                send_ref="FG-1-S1",
                status=FaxStatus.DONE,
                results=[FaxAttempt(1, FaxResult.SUCCESS), FaxAttempt(2, FaxResult.SUCCESS)],
            ),
            FaxMessageStatus(message_ref="not-ours", status=FaxStatus.DONE),
        ]
    )
    assert changed == 1
    assert [m.status for m in store.messages("FG-1-S1")] == [None, "done"]


def test_times_are_recorded_from_the_stores_clock(tmp_path: Path) -> None:
    moment = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    with JobStore(tmp_path / "jobs.sqlite3", clock=lambda: moment) as store:
        broadcast = store.add_broadcast(
            "FG-1", account="demo", endpoint="e", sends=[_send("FG-1-S1")]
        )
        assert broadcast.created == moment
        store.mark_submitting("FG-1-S1")
        assert store.mark_submitted("FG-1-S1", []).submitted == moment


def test_many_threads_write_at_once_each_on_its_own_connection(store: JobStore) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(20):
                ref = f"FG-{worker}-{n}"
                store.add_broadcast(ref, account="demo", endpoint="e", sends=[_send(ref + "-S1")])
                store.mark_submitting(ref + "-S1")
                store.mark_submitted(ref + "-S1", [])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    submitted = store.sends(states=[SendState.SUBMITTED])
    assert len(submitted) == 160


def test_a_closed_store_refuses_new_work(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    store.close()
    store.close()
    with pytest.raises(JobStoreError, match="closed"):
        store.broadcasts()


_CRASHING_WRITER = """
import os, sys
from pathlib import Path
from faxgui.jobs.store import JobStore, NewMessage, NewSend
store = JobStore(Path(sys.argv[1]))
store.add_broadcast("FG-K", account="demo", endpoint="e", sends=[
    NewSend("FG-K-S1", {}, "{}", [NewMessage("FG-K-S1-M1", "61280039890")]),
    NewSend("FG-K-S2", {}, "{}", [NewMessage("FG-K-S2-M1", "61280039891")]),
])
store.mark_submitting("FG-K-S1")
print("ready", flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_a_send_marked_submitting_survives_kill_minus_9(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_WRITER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
    with JobStore(path) as store:
        states = {s.send_ref: (s.state, s.attempts) for s in store.sends()}
    assert states == {
        "FG-K-S1": (SendState.SUBMITTING, 1),
        "FG-K-S2": (SendState.OUTBOX, 0),
    }
