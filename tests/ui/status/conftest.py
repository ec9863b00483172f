"""A status panel on a real job store, following a real sandbox whose clock the test moves."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pymupdf
import pytest
from pytestqt.qtbot import QtBot

from faxgui.api import MonopondClient
from faxgui.api.enums import Verbosity
from faxgui.api.models import FaxMessageStatus, FaxStatusRequest
from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.pipeline import SendPipeline, SendReport
from faxgui.compose.requests import build_send_job
from faxgui.jobs.history import JobHistory
from faxgui.jobs.poll_plan import PollPlanner, PollSettings
from faxgui.jobs.store import JobStore
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import SandboxServer
from faxgui.ui.status.panel import StatusPanel
from faxgui.ui.status.poller import StatusPoller


@dataclass
class Office:
    """The panel, what it reads and writes, and the sandbox it asks."""

    qtbot: QtBot
    clock: ManualClock
    server: SandboxServer
    store: JobStore
    history: JobHistory
    pipeline: SendPipeline
    panel: StatusPanel
    pdf: Path

    def client(self) -> MonopondClient:
        return MonopondClient(self.server.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0)

    def send(self, recipients: Sequence[tuple[str, str]], **options: object) -> SendReport:
        """Send a broadcast the way the composer does (through the send pipeline)."""
        draft = Draft.new()
        draft.add_document(self.pdf)
        draft.add_recipients(
            Recipient(fax_number=number, normalised=number, name=name)
            for name, number in recipients
        )
        for name, value in options.items():
            setattr(draft.options, name, value)
        report = self.pipeline.submit(build_send_job(draft))
        assert report.all_submitted, report
        return report

    def service(self, broadcast_ref: str) -> list[FaxMessageStatus]:
        """What the sandbox says of a broadcast now."""
        with self.client() as client:
            answer = client.fax_status(
                FaxStatusRequest(broadcast_ref=broadcast_ref, verbosity=Verbosity.RESULTS)
            )
        return sorted(answer.messages, key=lambda m: m.message_ref or "")

    def poll(self) -> None:
        """Refresh, as the button does, and wait for the answer to be shown."""
        poller = self.panel.poller
        self.qtbot.waitUntil(lambda: not poller.running, timeout=20_000)
        with self.qtbot.waitSignal(self.panel.poller.polled, timeout=20_000):
            self.panel.refresh()
        # A big answer is shown a slice per turn of the event loop.
        self.qtbot.waitUntil(lambda: not self.panel.updating, timeout=20_000)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)


@pytest.fixture
def one_page_pdf(tmp_path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), "Referral for Mrs Smith", fontsize=18)
    path = tmp_path / "referral.pdf"
    path.write_bytes(bytes(doc.tobytes()))
    return path


@pytest.fixture
def office(qtbot: QtBot, tmp_path: Path, one_page_pdf: Path) -> Iterator[Office]:
    clock = ManualClock()
    server = SandboxServer("127.0.0.1", 0, engine=SandboxEngine(speed=1.0, clock=clock))
    server.start()
    store = JobStore(tmp_path / "jobs.sqlite3")
    history = JobHistory(store)

    def client_factory() -> MonopondClient:
        return MonopondClient(server.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0)

    pipeline = SendPipeline(client_factory, store)
    # The plan's own pace is real time; the tests poll on demand (Refresh) instead.
    planner = PollPlanner(PollSettings(interval=timedelta(minutes=10)))
    poller = StatusPoller(history, client_factory, planner=planner)
    panel = StatusPanel(history, store, client_factory, poller=poller)
    poller.setParent(panel)
    panel.set_pipeline(pipeline)
    qtbot.addWidget(panel)
    panel.resize(1400, 700)
    panel.show()
    office = Office(qtbot, clock, server, store, history, pipeline, panel, one_page_pdf)
    yield office
    panel.shut_down()
    qtbot.waitUntil(lambda: not poller.running, timeout=20_000)
    server.stop()
    store.close()


@pytest.fixture
def started(office: Office) -> Callable[[], Office]:
    """Start the panel (read the history, start following) and wait until it shows."""

    def start() -> Office:
        office.panel.start()
        office.qtbot.waitUntil(lambda: office.panel.loaded, timeout=20_000)
        return office

    return start
