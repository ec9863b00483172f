"""The duplicate-send proof: 200 injected connection drops, and not one fax sent twice.

A real sandbox on loopback drops SendFax connections at random, some after
accepting the request (the answer is lost) and some before (the request is
lost), and also loses some FaxStatus answers. Broadcasts are submitted from
two threads while a third retries the outbox, as the app's timer would.
Every SendRef must reach the service's engine exactly once, every fax must
be there once, and the job store must say so.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from faxgui.api import MonopondClient
from faxgui.api.enums import Verbosity
from faxgui.api.errors import ConnectionFailedError, InvalidArgumentsFault
from faxgui.api.models import (
    FaxDocument,
    FaxMessage,
    FaxStatusRequest,
    FaxStatusResponse,
    SendFaxRequest,
)
from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.outbox import retry_outbox, waiting_sends
from faxgui.compose.pipeline import SendJob, SendPipeline
from faxgui.compose.requests import build_send_job
from faxgui.jobs.store import JobStore, SendState
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import DropPoint, SandboxServer

SEND_DROPS = 200
STATUS_DROPS = 25


class CountingEngine(SandboxEngine):
    """Counts every SendFax that reaches the engine, per SendRef, and every one it refuses."""

    def __init__(self) -> None:
        super().__init__(speed=1000.0)
        self.arrivals: Counter[str] = Counter()
        self.refused: list[str] = []
        self._count_lock = threading.Lock()

    def send_fax(self, account: str, req: SendFaxRequest) -> FaxStatusResponse:
        with self._count_lock:
            self.arrivals[req.send_ref or ""] += 1
        try:
            return super().send_fax(account, req)
        except Exception:
            with self._count_lock:
                self.refused.append(req.send_ref or "")
            raise


class Trouble:
    """The drop rule: a seeded coin decides, until the quota of drops is used up."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.drops: Counter[tuple[str, DropPoint]] = Counter()
        self.send_posts = 0

    def send_drops(self) -> int:
        return sum(n for (op, _), n in self.drops.items() if op == "SendFax")

    def __call__(self, operation: str, count: int) -> DropPoint | None:
        with self._lock:
            roll = self._random.random()
            point: DropPoint | None = None
            if operation == "SendFax":
                self.send_posts += 1
                if self.send_drops() < SEND_DROPS:
                    if roll < 0.45:
                        point = DropPoint.AFTER_ACCEPT
                    elif roll < 0.7:
                        point = DropPoint.BEFORE_ACCEPT
            elif operation == "FaxStatus" and self.drops["FaxStatus", DropPoint.AFTER_ACCEPT] < (
                STATUS_DROPS
            ):
                point = DropPoint.AFTER_ACCEPT if roll < 0.15 else None
            if point is not None:
                self.drops[operation, point] += 1
            return point


@pytest.fixture
def engine() -> CountingEngine:
    return CountingEngine()


@pytest.fixture
def sandbox(engine: CountingEngine) -> Iterator[SandboxServer]:
    server = SandboxServer("127.0.0.1", 0, engine=engine)
    server.start()
    yield server
    server.stop()


def _job(index: int, letter: Path, rng: random.Random) -> SendJob:
    draft = Draft.new()
    draft.add_document(letter)
    draft.add_recipients(
        Recipient(fax_number=f"{index}-{n}", normalised=f"612{index:04d}{n:04d}")
        for n in range(rng.randint(1, 4))
    )
    return build_send_job(draft, max_messages=rng.randint(1, 2))


def test_200_dropped_connections_send_no_fax_twice(
    sandbox: SandboxServer, engine: CountingEngine, tmp_path: Path
) -> None:
    started = time.monotonic()
    letter = tmp_path / "note.txt"
    letter.write_text("Please call the clinic about your results.\n")
    trouble = Trouble(seed=20261127)
    sandbox.drop_connection = trouble
    store = JobStore(tmp_path / "jobs.sqlite3")
    pipeline = SendPipeline(
        lambda: MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0), store
    )
    jobs: list[SendJob] = []
    jobs_lock = threading.Lock()
    sending = threading.Event()
    sending.set()
    failures: list[BaseException] = []

    def submitter(seed: int) -> None:
        rng = random.Random(seed)
        try:
            index = seed * 10_000
            while trouble.send_drops() < SEND_DROPS and time.monotonic() - started < 60:
                job = _job(index, letter, rng)
                index += 1
                with jobs_lock:
                    jobs.append(job)
                pipeline.submit(job)
        except BaseException as exc:
            failures.append(exc)

    def outbox_timer() -> None:
        try:
            while sending.is_set():
                retry_outbox(pipeline)
                time.sleep(0.01)
        except BaseException as exc:
            failures.append(exc)

    threads = [
        threading.Thread(target=submitter, args=(1,)),
        threading.Thread(target=submitter, args=(2,)),
    ]
    timer = threading.Thread(target=outbox_timer)
    for thread in [*threads, timer]:
        thread.start()
    for thread in threads:
        thread.join()
    sending.clear()
    timer.join()
    # What is still waiting goes out now that the drops are over.
    for _ in range(10):
        if not waiting_sends(store):
            break
        retry_outbox(pipeline)
    assert failures == []

    assert trouble.send_drops() == SEND_DROPS
    print(
        f"\n[no-double-send] {len(jobs)} broadcasts, {sum(len(j.requests) for j in jobs)} "
        f"requests, {trouble.send_posts} SendFax posts; drops: {dict(trouble.drops)}; "
        f"{time.monotonic() - started:.1f} s"
    )
    assert trouble.drops["SendFax", DropPoint.AFTER_ACCEPT] >= 50
    assert trouble.drops["SendFax", DropPoint.BEFORE_ACCEPT] >= 50
    assert trouble.drops["FaxStatus", DropPoint.AFTER_ACCEPT] > 0

    send_refs = [ref for job in jobs for ref in job.send_refs]
    # Exactly one SendFax per request reached the service; it never had to refuse a repeat.
    assert engine.arrivals == dict.fromkeys(send_refs, 1)
    assert engine.refused == []

    # The service holds every fax exactly once.
    sandbox.drop_connection = None
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        for job in jobs:
            answer = client.fax_status(
                FaxStatusRequest(broadcast_ref=job.broadcast_ref, verbosity=Verbosity.SEND)
            )
            expected = [m.message_ref for r in job.requests for m in r.fax_messages]
            assert sorted(m.message_ref or "" for m in answer.messages) == sorted(expected)

    # The job store agrees: everything submitted, every attempt counted, every fax known.
    records = store.sends()
    assert sorted(r.send_ref for r in records) == sorted(send_refs)
    assert {r.state for r in records} == {SendState.SUBMITTED}
    assert sum(r.attempts for r in records) == trouble.send_posts
    for record in records:
        assert all(m.status for m in store.messages(record.send_ref))
    store.close()
    assert time.monotonic() - started < 30


def test_the_injected_drops_would_catch_a_blind_resend(
    sandbox: SandboxServer, engine: CountingEngine
) -> None:
    sandbox.drop_connection = lambda op, n: DropPoint.AFTER_ACCEPT if n == 1 else None
    request = SendFaxRequest(
        [FaxMessage("naive-M1", "61280039890")],
        send_ref="naive-S1",
        documents=[FaxDocument("note.txt", b"hello")],
    )
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        with pytest.raises(ConnectionFailedError):
            client.send_fax(request)
        with pytest.raises(InvalidArgumentsFault, match="already used"):
            client.send_fax(request)
    assert engine.arrivals == {"naive-S1": 2}
    assert engine.refused == ["naive-S1"]
