"""Fixtures for the send tests: a real sandbox on a known port, a real job store, drafts on disk."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pymupdf
import pytest
from pytestqt.qtbot import QtBot

from faxgui.api import MonopondClient
from faxgui.api.models import FaxStatusResponse, SendFaxRequest
from faxgui.compose.draft import Draft
from faxgui.compose.phone import PhoneNormaliser
from faxgui.jobs.store import JobStore
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.numbers import TEST_NUMBER_PREFIX
from faxgui.sandbox.server import ENDPOINT_PATH, SandboxServer
from faxgui.ui.send_controller import SendController


class CountingEngine(SandboxEngine):
    """The sandbox's engine, counting every SendFax per SendRef; `hold()` stops the next one.

    After `hold()`, the next SendFax waits inside the engine (the request is on
    the wire, the client waiting for its answer) until `release()`.
    """

    def __init__(self) -> None:
        super().__init__(speed=1000.0)
        self.arrivals: Counter[str] = Counter()
        self.arrived = threading.Event()
        self._gate = threading.Event()
        self._holding = False
        self._count_lock = threading.Lock()

    def hold(self) -> None:
        with self._count_lock:
            self.arrived.clear()
            self._gate = threading.Event()
            self._holding = True

    def release(self) -> None:
        self._gate.set()

    def send_fax(self, account: str, req: SendFaxRequest) -> FaxStatusResponse:
        with self._count_lock:
            self.arrivals[req.send_ref or ""] += 1
            held, self._holding = self._holding, False
            gate = self._gate
        if held:
            self.arrived.set()
            gate.wait(30)
        return super().send_fax(account, req)


@pytest.fixture
def port() -> int:
    """A loopback port where nothing listens until the test starts the sandbox on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free: int = probe.getsockname()[1]
    return free


@pytest.fixture
def url(port: int) -> str:
    return f"http://127.0.0.1:{port}{ENDPOINT_PATH}"


@pytest.fixture
def engine() -> CountingEngine:
    return CountingEngine()


@pytest.fixture
def start_sandbox(port: int, engine: CountingEngine) -> Iterator[Callable[[], SandboxServer]]:
    """start_sandbox(): the fax service starts answering on `port` (now or later in a test)."""
    servers: list[SandboxServer] = []

    def start() -> SandboxServer:
        server = SandboxServer("127.0.0.1", port, engine=engine)
        server.start()
        servers.append(server)
        return server

    yield start
    engine.release()
    for server in servers:
        server.stop()


@pytest.fixture
def sandbox(start_sandbox: Callable[[], SandboxServer]) -> SandboxServer:
    return start_sandbox()


@pytest.fixture
def client_factory(url: str) -> Callable[[], MonopondClient]:
    return lambda: MonopondClient(url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0)


@pytest.fixture
def client(client_factory: Callable[[], MonopondClient]) -> Iterator[MonopondClient]:
    """A client of the test's own, for asking the sandbox what it received."""
    with client_factory() as instance:
        yield instance


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    instance = JobStore(tmp_path / "jobs.sqlite3")
    yield instance
    instance.close()


@pytest.fixture
def controller(
    qtbot: QtBot, store: JobStore, client_factory: Callable[[], MonopondClient]
) -> Iterator[SendController]:
    instance = SendController(store, client_factory)
    yield instance
    # A test that failed half-way must not leave its send running into the next test.
    instance.cancel()
    qtbot.waitUntil(lambda: not instance.busy, timeout=30_000)


@pytest.fixture
def numbers() -> PhoneNormaliser:
    """Australian numbers, with the sandbox's test numbers accepted, as the UI sets it up."""
    return PhoneNormaliser("AU", extra_valid=lambda digits: digits.startswith(TEST_NUMBER_PREFIX))


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "referral.txt"
    path.write_text("Referral for J. Citizen\nPlease see the attached results.\n")
    return path


@pytest.fixture
def write_pdf(tmp_path: Path) -> Callable[..., Path]:
    """write_pdf(name, pages): a real PDF with that many pages, on disk."""

    def write(name: str = "results.pdf", pages: int = 1) -> Path:
        doc = pymupdf.open()
        for number in range(1, pages + 1):
            page = doc.new_page(width=612, height=792)
            page.insert_text((72, 100), f"{name}, page {number}", fontsize=20)
        path = tmp_path / name
        path.write_bytes(bytes(doc.tobytes()))
        return path

    return write


@pytest.fixture
def make_draft(numbers: PhoneNormaliser, letter: Path) -> Callable[..., Draft]:
    """make_draft(count, document=letter): a new draft to `count` Sydney numbers, named."""

    def make(count: int = 3, document: Path | None = None) -> Draft:
        draft = Draft.new()
        draft.add_document(document or letter)
        for i in range(count):
            draft.add_recipient(f"02 8{i:07d}", numbers, name=f"Clinic {i + 1}")
        return draft

    return make
